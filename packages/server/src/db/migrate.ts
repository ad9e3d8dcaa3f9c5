import { DEFAULT_MIGRATION_TABLE, Migrator, sql, type Kysely, type Migration, type MigrationResult } from 'kysely';
import * as domain from './migrations/2026-11-23T00-00_domain.js';
import * as priceDays from './migrations/2026-11-24T00-00_price-days.js';
import * as keyNamesAndRateLimits from './migrations/2026-11-27T00-00_key-names-and-rate-limits.js';
import * as citations from './migrations/2026-11-28T00-00_citations.js';
import * as priceWritesPerStatement from './migrations/2026-11-28T00-10_price-writes-per-statement.js';
import * as namedUniqueConstraints from './migrations/2026-11-28T00-20_named-unique-constraints.js';
import * as holdingsFunction from './migrations/2026-11-28T00-30_holdings-function.js';
import * as productAggregate from './migrations/2026-11-28T00-40_product-aggregate.js';
import * as priceHours from './migrations/2026-11-28T00-50_price-hours.js';

/** Every migration, in order. Names are ISO-dated; files are frozen once released. */
export const migrations: Record<string, Migration> = {
  '2026-11-23T00-00_domain': domain,
  '2026-11-24T00-00_price-days': priceDays,
  '2026-11-27T00-00_key-names-and-rate-limits': keyNamesAndRateLimits,
  '2026-11-28T00-00_citations': citations,
  '2026-11-28T00-10_price-writes-per-statement': priceWritesPerStatement,
  '2026-11-28T00-20_named-unique-constraints': namedUniqueConstraints,
  '2026-11-28T00-30_holdings-function': holdingsFunction,
  '2026-11-28T00-40_product-aggregate': productAggregate,
  '2026-11-28T00-50_price-hours': priceHours,
};

/** The newest migration this code knows. */
export const LATEST_MIGRATION = Object.keys(migrations).at(-1)!;

/** Whether the newest migration has been applied; without Kysely's table, nothing has. */
export async function isMigratedToLatest(db: Kysely<any>): Promise<boolean> {
  // Two statements: PostgreSQL resolves every table name before running a statement, so one
  // that named a missing kysely_migration would fail instead of answering false.
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${DEFAULT_MIGRATION_TABLE}) is not null as found`.execute(db);
  if (!rows[0]!.found) return false;
  const latest = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').where('name', '=', LATEST_MIGRATION).executeTakeFirst();
  return latest !== undefined;
}

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

async function run(step: Promise<{ error?: unknown; results?: MigrationResult[] }>): Promise<MigrationResult[]> {
  const { error, results } = await step;
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results ?? [];
}

export function migrateToLatest(db: Kysely<any>): Promise<MigrationResult[]> {
  return run(migrator(db).migrateToLatest());
}

export function migrateTo(db: Kysely<any>, name: string): Promise<MigrationResult[]> {
  return run(migrator(db).migrateTo(name));
}

/** Undoes every migration: the database is left as before the first one. */
export function migrateToEmpty(db: Kysely<any>): Promise<MigrationResult[]> {
  return run(migrator(db).migrateTo(NO_MIGRATIONS_MARKER));
}

import { NO_MIGRATIONS as NO_MIGRATIONS_MARKER } from 'kysely';
