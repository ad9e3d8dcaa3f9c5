import { basename } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { checkFactFiles, checkPriceFiles } from '../facts/check.js';
import { defaultDataDir, loadCompanyFiles, loadPriceFiles } from '../facts/fact-file.js';
import { applyFiles, FactFilesInvalidError } from '../facts/load.js';

export const SEED_MARKER = 'seed';
const SEED_VERSION = '2026-11-28';

export type SeedOutcome = 'loaded' | 'already-loaded' | 'skipped-not-empty';

export interface SeedOptions {
  /** The data directory whose files are loaded (default: the repository's data/, see defaultDataDir). */
  dataDir?: string | null;
}

/**
 * Loads the sourced facts once, on an empty database: the data files (data/companies/*.yaml,
 * data/prices/*.yaml, the founding story's Cango among them) as `facts sync` would. A database
 * that already holds companies or assets
 * without the seed marker belongs to someone: it is left alone. Safe when several servers start
 * at once: the check and the load share one transaction and an advisory lock. Invalid data
 * files stop it before anything is written (FactFilesInvalidError).
 */
export async function seed(db: Kysely<Database>, options: SeedOptions = {}): Promise<SeedOutcome> {
  const dataDir = options.dataDir === undefined ? defaultDataDir() : options.dataDir;
  const companies = dataDir ? loadCompanyFiles(dataDir) : [];
  const prices = dataDir ? loadPriceFiles(dataDir) : [];
  const problems = [...checkFactFiles(companies), ...checkPriceFiles(prices)];
  if (problems.length > 0) throw new FactFilesInvalidError(dataDir!, problems);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('minergraph.seed'))`.execute(trx);
    const marker = await trx.selectFrom('meta').select('value').where('key', '=', SEED_MARKER).executeTakeFirst();
    if (marker) return 'already-loaded';
    const existing = await sql<{ n: number }>`
      select (select count(*) from companies)::int + (select count(*) from assets)::int as n`.execute(trx);
    if ((existing.rows[0]?.n ?? 0) > 0) return 'skipped-not-empty';

    await applyFiles(
      trx,
      companies.map((loaded) => ({ name: basename(loaded.path), file: loaded.file! })),
      prices.map((loaded) => ({ name: basename(loaded.path), file: loaded.file! })),
    );
    await trx.insertInto('meta').values({ key: SEED_MARKER, value: SEED_VERSION }).execute();
    return 'loaded';
  });
}
