import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

// The reviewed data files of data/companies/<TICKER>.yaml: every number a fact, every fact a
// citation (a source, the verbatim sentence that states the number, and the as-of date it gives).

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD');
const amount = z.string().regex(/^\d+(\.\d+)?$/, 'must be a plain decimal string such as "52850" or "3313.4"');

export const citationSchema = z.strictObject({
  source: z.string().min(1),
  quote: z.string().min(1),
  asOf: day,
});

const sourceSchema = z.strictObject({
  // null when the stored page shows no title of its own: never made up.
  title: z.string().min(1).nullable(),
  url: z.url({ protocol: /^https?$/ }),
  publisher: z.string().min(1),
  publishedOn: day.nullable(),
  kind: z.enum(['FILING', 'COMPANY_RELEASE', 'WIRE_REPRINT', 'TRADE_PRESS', 'NEWS', 'AGGREGATOR']),
});

const holdingSchema = z.strictObject({
  on: day,
  btc: amount,
  basis: z.string().min(1).nullable(),
  citation: citationSchema,
});

const PRODUCTION_NUMBERS = ['minedBtc', 'soldBtc', 'soldUsd', 'heldBtc', 'operatingEhs', 'deployedEhs'] as const;

const productionSchema = z.strictObject({
  periodStart: day,
  periodEnd: day,
  period: z.enum(['MONTH', 'QUARTER', 'YEAR']),
  minedBtc: amount.nullable(),
  soldBtc: amount.nullable(),
  soldUsd: amount.nullable(),
  heldBtc: amount.nullable(),
  operatingEhs: amount.nullable(),
  deployedEhs: amount.nullable(),
  citations: z.partialRecord(z.enum(PRODUCTION_NUMBERS), citationSchema),
});

const DEBT_NUMBERS = ['principalUsd', 'pledgedBtc', 'interestRatePercent'] as const;

const debtSchema = z.strictObject({
  kind: z.enum(['BTC_BACKED_LOAN', 'CREDIT_LINE', 'CONVERTIBLE_NOTES', 'TERM_LOAN']),
  lender: z.string().min(1).nullable(),
  principalUsd: amount.nullable(),
  pledgedBtc: amount.nullable(),
  interestRatePercent: amount.nullable(),
  maturesOn: day.nullable(),
  asOf: day,
  description: z.string().min(1),
  citations: z.record(z.string(), citationSchema),
});

const officerSchema = z.strictObject({ name: z.string().min(1), role: z.string().min(1), citation: citationSchema });

const siteSchema = z.strictObject({
  name: z.string().min(1).nullable(),
  region: z.string().min(1).nullable(),
  country: z.string().min(1).nullable(),
  powerMw: amount.nullable(),
  status: z.enum(['OPERATING', 'UNDER_CONSTRUCTION', 'PLANNED']).nullable(),
  citation: citationSchema,
});

export const companyFileSchema = z.strictObject({
  ticker: z.string().regex(/^[A-Z0-9]{1,10}$/, 'must be an upper-case ticker'),
  name: z.string().min(1),
  exchange: z.string().min(1).nullable(),
  businessLines: z.array(z.string().min(1)),
  citation: citationSchema,
  sources: z.record(z.string(), sourceSchema),
  holdings: z.array(holdingSchema).default([]),
  production: z.array(productionSchema).default([]),
  debt: z.array(debtSchema).default([]),
  officers: z.array(officerSchema).default([]),
  sites: z.array(siteSchema).default([]),
  notes: z.array(z.string()).default([]),
});

/** data/prices/<SYMBOL>.yaml: closes quoted from the pages the reports cite, one per day. */
export const priceFileSchema = z.strictObject({
  symbol: z.string().regex(/^[A-Z0-9]{1,12}$/, 'must be an upper-case symbol'),
  name: z.string().min(1).optional(),
  sources: z.record(z.string(), sourceSchema),
  prices: z.array(z.strictObject({ on: day, usd: amount, citation: citationSchema })),
});

export type CompanyFile = z.infer<typeof companyFileSchema>;
export type PriceFile = z.infer<typeof priceFileSchema>;
export type SourceEntry = z.infer<typeof sourceSchema>;
export type Citation = z.infer<typeof citationSchema>;
export { DEBT_NUMBERS, PRODUCTION_NUMBERS };

export interface LoadedFile<T = CompanyFile> {
  path: string;
  file?: T;
  /** Problems that stop the file from being read at all (YAML or shape). */
  problems: string[];
}

/** Reads every data/companies/*.yaml file of a data directory. */
export function loadCompanyFiles(dataDir: string): LoadedFile[] {
  return loadFiles(join(dataDir, 'companies'), companyFileSchema);
}

/** Reads every data/prices/*.yaml file of a data directory; none when it has no prices directory. */
export function loadPriceFiles(dataDir: string): LoadedFile<PriceFile>[] {
  const dir = join(dataDir, 'prices');
  return existsSync(dir) ? loadFiles(dir, priceFileSchema) : [];
}

function loadFiles<T>(dir: string, schema: z.ZodType<T>): LoadedFile<T>[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      let raw: unknown;
      try {
        raw = parse(readFileSync(path, 'utf8'));
      } catch (error) {
        return { path, problems: [`not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return { path, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`) };
      }
      return { path, file: parsed.data, problems: [] };
    });
}

/**
 * The repository's data directory: found by walking up from this file to a directory holding
 * data/companies (the repository root from the sources or the built CLI, /app in the image).
 */
export function defaultDataDir(): string | null {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'data', 'companies'))) return join(directory, 'data');
    const parent = dirname(directory);
    if (parent === directory) return null;
    directory = parent;
  }
}
