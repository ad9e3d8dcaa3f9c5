import { sql } from 'kysely';
import { createApiKey } from '@minergraph/server/repositories/api-key.repository';
import type { TestDatabase } from './database.js';

/** Headers carrying a fresh API key of the given role. */
export async function keyHeaders(database: TestDatabase, role: 'reader' | 'editor' | 'admin', name = `${role}-${Math.random()}`) {
  const { key, row } = await createApiKey(database.db, name, role);
  return { headers: { authorization: `Bearer ${key}` }, keyId: row.id, key };
}

const TABLES = [
  'sources',
  'companies',
  'officers',
  'sites',
  'production_reports',
  'treasury_transactions',
  'holdings_reports',
  'loans',
  'loan_repayments',
  'assets',
  'price_observations',
  'corporate_actions',
  'idempotency_keys',
] as const;

/** Every domain row, as text, so a test can show that a refused write changed nothing. */
export async function snapshot(database: TestDatabase): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{ row: string }>`select t::text as row from ${sql.table(table)} t order by 1`.execute(database.db);
    result[table] = rows.map((r) => r.row);
  }
  return result;
}

/** A rollup's prices, each as PostgreSQL prints it. */
interface RollupPrices {
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string | null;
  observations: number;
}

/** Every row of a price rollup, by symbol and bucket (`bucket`: the SQL that prints its column), each price as PostgreSQL prints it. */
async function rollupRows<R>(database: Pick<TestDatabase, 'db'>, table: 'price_days' | 'price_hours', bucket: string, order: string) {
  const { rows } = await sql<R & RollupPrices>`
    select a.symbol, ${sql.raw(bucket)}, r.open::text as open, r.high::text as high, r.low::text as low,
           r.close::text as close, r.volume::text as volume, r.observations
    from ${sql.table(table)} r join assets a on a.id = r.asset_id
    order by a.symbol, ${sql.raw(order)}`.execute(database.db);
  return rows;
}

/** Every price_days row, by symbol and day, each column as PostgreSQL prints it. */
export const priceDays = (database: Pick<TestDatabase, 'db'>) =>
  rollupRows<{ symbol: string; day: string }>(database, 'price_days', 'r.day::text as day', 'r.day');

/** Every price_hours row, by symbol and hour, each column as PostgreSQL prints it (the hour in UTC). */
export const priceHours = (database: Pick<TestDatabase, 'db'>) =>
  rollupRows<{ symbol: string; start: string }>(
    database,
    'price_hours',
    `to_char(r.start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as start`,
    'r.start',
  );
