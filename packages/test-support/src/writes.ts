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

/** Every price_days row, by symbol and day, each column as PostgreSQL prints it. */
export async function priceDays(database: Pick<TestDatabase, 'db'>) {
  const { rows } = await sql<{
    symbol: string;
    day: string;
    open: string;
    high: string;
    low: string;
    close: string;
    volume: string | null;
    observations: number;
  }>`
    select a.symbol, d.day::text as day, d.open::text as open, d.high::text as high, d.low::text as low,
           d.close::text as close, d.volume::text as volume, d.observations
    from price_days d join assets a on a.id = d.asset_id
    order by a.symbol, d.day`.execute(database.db);
  return rows;
}

/** Every price_hours row, by symbol and hour, each column as PostgreSQL prints it (the hour in UTC). */
export async function priceHours(database: Pick<TestDatabase, 'db'>) {
  const { rows } = await sql<{
    symbol: string;
    start: string;
    open: string;
    high: string;
    low: string;
    close: string;
    volume: string | null;
    observations: number;
  }>`
    select a.symbol, to_char(h.start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as start, h.open::text as open,
           h.high::text as high, h.low::text as low, h.close::text as close, h.volume::text as volume, h.observations
    from price_hours h join assets a on a.id = h.asset_id
    order by a.symbol, h.start`.execute(database.db);
  return rows;
}
