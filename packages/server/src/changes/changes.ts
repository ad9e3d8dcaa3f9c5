import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * What a write changed, published inside its transaction (see publishChange): every server
 * process sharing the database hears of it once it commits, never before its rows are visible.
 * Answers cached by the response cache are keyed by the data version it moves; subscriptions
 * can filter these events by kind, company and asset.
 */
export type Change =
  /** Price points recorded or replaced for one asset (a mutation, `prices import`, `prices sync`). */
  | { kind: 'prices'; symbol: string; assetId: string; inserted: number; updated: number; from: string | null; to: string | null }
  /** A ratio change of an equity's units (`recordCorporateAction`, `prices split`). */
  | { kind: 'corporateAction'; symbol: string; assetId: string; ids: string[] }
  | { kind: 'asset'; symbol: string; assetId: string }
  /** A company itself or one of its records; `ticker` is filled in by publishChange. */
  | { kind: 'company'; companyId: string; record: CompanyRecord; ids: string[] }
  /**
   * Many rows at once: the seed facts, or a `facts sync` that changed something. (A restore
   * goes only into a new database, which no server serves: serve seeds an empty one first, and
   * then a restore refuses it.)
   */
  | { kind: 'facts'; reason: 'seed' | 'sync' };

export type CompanyRecord = 'company' | 'site' | 'treasuryTransaction' | 'productionReport' | 'holdingsReport' | 'loan' | 'loanRepayment';

/** A change as every process receives it: with the data version it moved to (and a company's ticker). */
export type ChangeEvent = Change & { version: string; ticker?: string };

/** The PostgreSQL NOTIFY channel of change events (PGlite: the same, in-process). */
export const CHANGES_CHANNEL = 'minergraph_changes';

/** The row of `meta` that counts writes; absent until the first one. */
export const DATA_VERSION_KEY = 'data_version';

/**
 * Moves the data version and notifies every listener, as one statement in the caller's
 * transaction. The version only grows: it never drops below the transaction's own id, so a
 * restored backup's older counter cannot bring back a version an answer was cached under.
 * Notifications are delivered on commit, and dropped with a rollback.
 */
export function changeStatement(change: Change): { text: string; parameters: unknown[] } {
  const companyId = change.kind === 'company' ? change.companyId : null;
  return {
    text: `with version as (
  insert into meta (key, value) values ('${DATA_VERSION_KEY}', pg_current_xact_id()::text)
  on conflict (key) do update set value = greatest(meta.value::bigint + 1, pg_current_xact_id()::text::bigint)::text, updated_at = now()
  returning value
)
select pg_notify('${CHANGES_CHANNEL}', ($1::jsonb || jsonb_build_object('version', version.value)
  || coalesce((select jsonb_build_object('ticker', ticker) from companies where id = $2::bigint), '{}'::jsonb))::text)
from version`,
    parameters: [JSON.stringify(change), companyId],
  };
}

/** Publishes `change` inside a Kysely transaction (see changeStatement). */
export async function publishChange(trx: Kysely<Database>, change: Change): Promise<void> {
  const { text, parameters } = changeStatement(change);
  await trx.executeQuery(CompiledQuery.raw(text, parameters));
}

/** Publishes `change` on a session below Kysely (a bulk load's), inside its transaction. */
export async function publishChangeOn(
  session: { query(text: string, params?: unknown[]): Promise<unknown> },
  change: Change,
): Promise<void> {
  const { text, parameters } = changeStatement(change);
  await session.query(text, parameters);
}

/** The data version: the count every write moves; '0' before the first. */
export async function readDataVersion(db: Kysely<Database>): Promise<string> {
  try {
    const row = await db.selectFrom('meta').select('value').where('key', '=', DATA_VERSION_KEY).executeTakeFirst();
    return row?.value ?? '0';
  } catch (error) {
    // A database not migrated yet has no meta table and no data: version 0 (/readyz says it is not ready).
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return '0';
    throw error;
  }
}

/** PostgreSQL's undefined_table. */
const UNDEFINED_TABLE = '42P01';

/** Parses a notification's payload; null when it is not a change event (never thrown). */
export function parseChangeEvent(payload: string | undefined): ChangeEvent | null {
  if (!payload) return null;
  try {
    const event = JSON.parse(payload) as ChangeEvent;
    return typeof event === 'object' && event !== null && typeof event.kind === 'string' && typeof event.version === 'string'
      ? event
      : null;
  } catch {
    return null;
  }
}
