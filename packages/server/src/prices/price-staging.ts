import type { NewPricePoint } from '../repositories/asset.repository.js';
import type { BulkSession } from './bulk-session.js';

/**
 * Bulk loads go through a temporary table: COPY fills it as fast as the server can read, then
 * one statement merges it into price_observations. The table lives for the transaction only.
 * `line` says where each row came from, so a problem found by SQL can name its line.
 */
const STAGING_TABLE = 'price_staging';
export const STAGING_TARGET = `${STAGING_TABLE} (line, at_ms, open, high, low, close, volume)`;

/**
 * Instants travel as milliseconds since 1970: formatting a million ISO strings costs the import
 * more than any other step, and PostgreSQL turns the integer into a timestamptz exactly.
 */
const STAGED_AT = `'epoch'::timestamptz + s.at_ms * interval '1 millisecond'`;

export async function createPriceStaging(session: BulkSession): Promise<void> {
  await session.query(`
    create temp table ${STAGING_TABLE} (
      line bigint not null, at_ms bigint not null,
      open numeric not null, high numeric not null, low numeric not null, close numeric not null, volume numeric
    ) on commit drop`);
}

/** One row of COPY's text format. The values are checked decimals and ISO instants: nothing to escape. */
export function stagingLine(line: number, point: NewPricePoint): string {
  return `${line}\t${point.at.getTime()}\t${point.open}\t${point.high}\t${point.low}\t${point.close}\t${point.volume ?? '\\N'}\n`;
}

export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface DuplicateInstant {
  line: number;
  firstLine: number;
  at: Date;
}

export type MergeOutcome = { ok: true; counts: MergeCounts } | { ok: false; duplicates: DuplicateInstant[]; duplicateCount: number };

/** ON CONFLICT DO UPDATE refuses to touch one row twice: two staged rows share an instant. */
const CARDINALITY_VIOLATION = '21000';

/**
 * Inserts the staged rows for `assetId`, replacing stored ones at the same instant. A stored
 * row that already holds the same values is not rewritten (no new row version, no WAL), so
 * loading a file twice changes nothing and reports every row unchanged.
 */
export async function mergePriceStaging(
  session: BulkSession,
  assetId: string,
  sourceId: string | null,
  stagedRows: number,
): Promise<MergeOutcome> {
  if (await insertedAsNew(session, assetId, sourceId)) return { ok: true, counts: { inserted: stagedRows, updated: 0, unchanged: 0 } };
  // Checking for repeated instants first would sort every row; the merge finds them anyway.
  await session.query('savepoint price_merge');
  let counts: { inserted: number; updated: number } | undefined;
  try {
    [counts] = await session.query<{ inserted: number; updated: number }>(
      `with merged as (
         insert into price_observations as o (asset_id, at, open, high, low, close, volume, source_id)
         select $1::bigint, ${STAGED_AT}, s.open, s.high, s.low, s.close, s.volume, $2::bigint from ${STAGING_TABLE} s
         on conflict (asset_id, at) do update set
           open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
           volume = excluded.volume, source_id = excluded.source_id
         where (o.open, o.high, o.low, o.close, o.volume, o.source_id)
               is distinct from (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume, excluded.source_id)
         -- xmax is 0 only for a freshly inserted row version: it tells inserts from updates.
         returning (o.xmax = 0) as fresh
       )
       select count(*) filter (where fresh)::int as inserted, count(*) filter (where not fresh)::int as updated from merged`,
      [assetId, sourceId],
    );
  } catch (error) {
    if ((error as { code?: string }).code !== CARDINALITY_VIOLATION) throw error;
    await session.query('rollback to savepoint price_merge');
    return { ok: false, ...(await duplicateInstants(session)) };
  }
  await session.query('release savepoint price_merge');
  const { inserted, updated } = counts!;
  return { ok: true, counts: { inserted, updated, unchanged: stagedRows - inserted - updated } };
}

/** Two rows with the same key: a repeated instant in the file, or a writer that got there first. */
const UNIQUE_VIOLATION = '23505';

/**
 * A first import of a stretch of time: when the asset has nothing stored between the first and
 * the last staged instant, every staged row is new, and a plain INSERT stores them without
 * ON CONFLICT's arbitration and without a returned row per insert to count. False, with
 * nothing written, if something is stored there or the insert meets a key already present
 * (a repeated instant, or a concurrent writer): the merge then decides, and names the lines.
 */
async function insertedAsNew(session: BulkSession, assetId: string, sourceId: string | null): Promise<boolean> {
  const [stored] = await session.query<{ found: boolean }>(
    `select exists (
       select 1 from price_observations o, (select min(s.at_ms) as first_ms, max(s.at_ms) as last_ms from ${STAGING_TABLE} s) s
       where o.asset_id = $1::bigint
         and o.at >= 'epoch'::timestamptz + s.first_ms * interval '1 millisecond'
         and o.at <= 'epoch'::timestamptz + s.last_ms * interval '1 millisecond'
     ) as found`,
    [assetId],
  );
  if (stored!.found) return false;
  await session.query('savepoint price_insert');
  try {
    await session.query(
      `insert into price_observations (asset_id, at, open, high, low, close, volume, source_id)
       select $1::bigint, ${STAGED_AT}, s.open, s.high, s.low, s.close, s.volume, $2::bigint from ${STAGING_TABLE} s`,
      [assetId, sourceId],
    );
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await session.query('rollback to savepoint price_insert');
    return false;
  }
  await session.query('release savepoint price_insert');
  return true;
}

/** Staged rows whose instant an earlier line already has: the first `limit`, and how many in all. */
export async function duplicateInstants(
  session: BulkSession,
  limit = 20,
): Promise<{ duplicates: DuplicateInstant[]; duplicateCount: number }> {
  const rows = await session.query<{ line: number; first_line: number; at_ms: string; total: number }>(
    `select line::int as line, first_line::int as first_line, at_ms::text as at_ms, (count(*) over ())::int as total
     from (select line, at_ms, min(line) over (partition by at_ms) as first_line from ${STAGING_TABLE}) staged
     where line <> first_line
     order by line
     limit $1`,
    [limit],
  );
  return {
    duplicates: rows.map((row) => ({ line: row.line, firstLine: row.first_line, at: new Date(Number(row.at_ms)) })),
    duplicateCount: rows[0]?.total ?? 0,
  };
}

/** The id of a source with exactly these fields, recorded now if there is none: a re-run reuses it. */
export async function sourceIdFor(
  session: BulkSession,
  source: { title: string; url?: string | null | undefined; publisher?: string | null | undefined },
): Promise<string> {
  const values = [source.title, source.url ?? null, source.publisher ?? null];
  const [found] = await session.query<{ id: string }>(
    `select id::text as id from sources
     where title = $1 and url is not distinct from $2::text and publisher is not distinct from $3::text and published_on is null
     order by id limit 1`,
    values,
  );
  if (found) return found.id;
  const [created] = await session.query<{ id: string }>(
    'insert into sources (title, url, publisher) values ($1, $2, $3) returning id::text as id',
    values,
  );
  return created!.id;
}
