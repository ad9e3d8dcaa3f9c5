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

const TRANSACTION_NUMBERS = ['btc', 'usd'] as const;

/** A BTC sale or purchase the company disclosed outside its periodic reports (e.g. a treasury sale). */
const transactionSchema = z.strictObject({
  key: z.string().min(1),
  // The day the page gives; for a sale over several days, the last of them.
  on: day,
  kind: z.enum(['SALE', 'PURCHASE']),
  btc: amount,
  usd: amount.nullable(),
  description: z.string().min(1),
  citations: z.partialRecord(z.enum(TRANSACTION_NUMBERS), citationSchema),
});

/** A repayment of a debt; `fundedBy` names the key of the transaction whose proceeds paid it. */
const repaymentSchema = z.strictObject({
  paidOn: day,
  usd: amount,
  fundedBy: z.string().min(1).nullable(),
  citation: citationSchema,
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
  repayments: z.array(repaymentSchema).default([]),
});

const officerSchema = z.strictObject({
  name: z.string().min(1),
  role: z.string().min(1),
  // As the page gives it: a day, or only a month (YYYY-MM) when the page names no day.
  since: z
    .string()
    .regex(/^\d{4}-\d{2}(-\d{2})?$/, 'must be a day (YYYY-MM-DD) or a month (YYYY-MM)')
    .nullable()
    .optional(),
  // Must appear in the citation's quote.
  previousEmployer: z.string().min(1).nullable().optional(),
  citation: citationSchema,
});

const corporateActionSchema = z.strictObject({
  effectiveOn: day,
  kind: z.enum(['ADS_TO_SHARES', 'SPLIT', 'REVERSE_SPLIT']),
  // New units per old unit, e.g. "2" when each ADS became two ordinary shares.
  ratio: amount,
  description: z.string().min(1),
  citation: citationSchema,
});

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
  // How many sites the company says it operates (the quote states the number), and in which regions
  // (each region appears in the quote): for companies that report no site list.
  reportedSiteCount: z.strictObject({ count: amount, citation: citationSchema }).optional(),
  reportedRegions: z.strictObject({ regions: z.array(z.string().min(1)).min(1), citation: citationSchema }).optional(),
  sources: z.record(z.string(), sourceSchema),
  holdings: z.array(holdingSchema).default([]),
  production: z.array(productionSchema).default([]),
  debt: z.array(debtSchema).default([]),
  officers: z.array(officerSchema).default([]),
  sites: z.array(siteSchema).default([]),
  transactions: z.array(transactionSchema).default([]),
  corporateActions: z.array(corporateActionSchema).default([]),
  notes: z.array(z.string()).default([]),
});

/**
 * data/prices/<SYMBOL>.yaml: prices as sourced pages state them, each with its citation. `kind` says what
 * the page's number is (a day's close or open, a price seen during the day, the all-time high), so a
 * value in USD can say which price it used.
 */
export const priceFileSchema = z.strictObject({
  symbol: z.string().regex(/^[A-Z0-9]{1,10}$/, 'must be an upper-case symbol'),
  sources: z.record(z.string(), sourceSchema),
  prices: z.array(
    z.strictObject({
      on: day,
      usd: amount,
      // UNSPECIFIED: the page gives a price for the day without saying which.
      kind: z.enum(['CLOSE', 'OPEN', 'INTRADAY', 'ALL_TIME_HIGH', 'UNSPECIFIED']),
      citation: citationSchema,
    }),
  ),
  notes: z.array(z.string()).default([]),
});

export type CompanyFile = z.infer<typeof companyFileSchema>;
export type PriceFile = z.infer<typeof priceFileSchema>;
export type Citation = z.infer<typeof citationSchema>;
export type SourceEntry = z.infer<typeof sourceSchema>;
export { DEBT_NUMBERS, PRODUCTION_NUMBERS, TRANSACTION_NUMBERS };

export interface LoadedFile {
  path: string;
  file?: CompanyFile;
  /** Problems that stop the file from being read at all (YAML or shape). */
  problems: string[];
}

export interface LoadedPriceFile {
  path: string;
  file?: PriceFile;
  problems: string[];
}

/** Reads every data/companies/*.yaml file of a data directory. */
export function loadCompanyFiles(dataDir: string): LoadedFile[] {
  return loadYamlFiles(join(dataDir, 'companies'), companyFileSchema);
}

/** Reads every data/prices/*.yaml file of a data directory; none when it has no prices directory. */
export function loadPriceFiles(dataDir: string): LoadedPriceFile[] {
  const dir = join(dataDir, 'prices');
  return existsSync(dir) ? loadYamlFiles(dir, priceFileSchema) : [];
}

function loadYamlFiles<T>(dir: string, schema: z.ZodType<T>): { path: string; file?: T; problems: string[] }[] {
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
