import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/** The day the founding story is told (docs/domain.md): Cango's announcement of its February sale. */
const FOUNDING_DAY = '2026-02-09';

/** The repository's data directory. */
export const REPOSITORY_DATA = fileURLToPath(new URL('../../../data', import.meta.url));

/**
 * The data the 'seeded' test databases hold: the founding story only, as told on 2026-02-09
 * (data/companies/CANG.yaml, and the prices of data/prices quoted for that day or before), which
 * most test files are written against. The whole data set is loaded by facts-load.db.test.ts.
 */
export function foundingStoryData(): string {
  const repository = REPOSITORY_DATA;
  const dir = mkdtempSync(join(tmpdir(), 'minergraph-founding-'));
  mkdirSync(join(dir, 'companies'));
  if (existsSync(join(repository, 'companies', 'CANG.yaml')))
    cpSync(join(repository, 'companies', 'CANG.yaml'), join(dir, 'companies', 'CANG.yaml'));
  if (existsSync(join(repository, 'prices'))) {
    mkdirSync(join(dir, 'prices'));
    for (const name of readdirSync(join(repository, 'prices')).filter((file) => file.endsWith('.yaml'))) {
      const file = parse(readFileSync(join(repository, 'prices', name), 'utf8')) as {
        prices: { on: string; citation: { source: string } }[];
        sources: Record<string, unknown>;
      };
      file.prices = file.prices.filter((price) => price.on <= FOUNDING_DAY);
      const cited = new Set(file.prices.map((price) => price.citation.source));
      file.sources = Object.fromEntries(Object.entries(file.sources).filter(([key]) => cited.has(key)));
      writeFileSync(join(dir, 'prices', name), stringify(file));
    }
  }
  return dir;
}
