import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** A claimed idempotency key: the fingerprint of the request that claimed it, and what its write remembered. */
export interface ClaimedKey {
  requestHash: string;
  result: unknown;
}

export async function claimedKey(db: Kysely<Database>, operation: string, key: string): Promise<ClaimedKey | null> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'result'])
    .where('operation', '=', operation)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? { requestHash: row.request_hash, result: row.result } : null;
}

/**
 * Claims a key inside the write's transaction; a concurrent claim of the same key waits on this
 * row and then fails with idempotency_keys_pkey, and a committed one fails at once.
 */
export async function claimKey(db: Kysely<Database>, claim: { operation: string; key: string; requestHash: string }): Promise<void> {
  await db
    .insertInto('idempotency_keys')
    .values({ key: claim.key, operation: claim.operation, request_hash: claim.requestHash, result: 'null' })
    .execute();
}

/** Keeps what a retry needs to rebuild the first answer. */
export async function rememberResult(db: Kysely<Database>, operation: string, key: string, result: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ result: JSON.stringify(result) })
    .where('operation', '=', operation)
    .where('key', '=', key)
    .execute();
}
