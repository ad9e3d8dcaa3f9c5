import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MAX_IDEMPOTENCY_KEY_LENGTH, type Actor, type WriteResult } from '@minergraph/schema';
import { stringify } from 'safe-stable-stringify';
import { publishChange, type Change } from '../changes/changes.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation, ok, Problems, rejected, Rejection, userError } from './problems.js';

interface Write<T, Ref> {
  operation: string;
  /** Whose key it is. */
  actor: Actor;
  /** The request as the client sent it, without the key: a retry must match it exactly. */
  input: unknown;
  /**
   * Does the write inside the transaction; may throw a Rejection to roll back. Says what it
   * changed, which is published in the same transaction (changes/changes.ts).
   */
  work(trx: Kysely<Database>): Promise<{ value: T; ref: Ref; change: Change }>;
}

/** A write that takes an idempotency key can replay its first answer; one that takes none has nothing to replay. */
export type IdempotentWrite<T, Ref> = Write<T, Ref> &
  (
    | {
        key: string | null | undefined;
        /** Rebuilds the first answer from what `work` remembered. */
        replay(ref: Ref): Promise<T>;
      }
    | { key: null; replay?: undefined }
  );

function fingerprint(input: unknown): string {
  return createHash('sha256')
    .update(stringify(input) ?? '')
    .digest('hex');
}

/**
 * Runs a write in one transaction. With an idempotency key, the key is claimed first in the
 * same transaction: a concurrent retry waits on it and then replays the first answer, a
 * later retry replays it at once, and the same key with another input is refused.
 */
export async function runWrite<T, Ref>(db: Kysely<Database>, write: IdempotentWrite<T, Ref>): Promise<WriteResult<T>> {
  const { operation } = write;
  if (write.key) {
    // Compared as the database stores them: text that is not well-formed would be stored
    // altered (a lone surrogate as U+FFFD), and two different keys would replay each other.
    const problems = new Problems();
    problems.text(['input', 'idempotencyKey'], write.key, { max: MAX_IDEMPOTENCY_KEY_LENGTH });
    if (problems.any) return problems.result();
  }
  // Keys are each API key's own: another client reusing the string neither collides nor sees the answer.
  const key = write.key ? `${write.actor.apiKeyId ?? 'anonymous'}:${write.key}` : null;
  const hash = key ? fingerprint(write.input) : '';

  const previous = async (): Promise<WriteResult<T> | null> => {
    if (!key || !write.replay) return null;
    const row = await db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'result'])
      .where('operation', '=', operation)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    if (row.request_hash !== hash) {
      return rejected(
        userError(['input', 'idempotencyKey'], 'IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different input.'),
      );
    }
    return ok(await write.replay(row.result as Ref));
  };

  const earlier = await previous();
  if (earlier) return earlier;
  try {
    return await db.transaction().execute(async (trx) => {
      if (key) {
        await trx.insertInto('idempotency_keys').values({ key, operation, request_hash: hash, result: 'null' }).execute();
      }
      const { value, ref, change } = await write.work(trx);
      if (key) {
        await trx
          .updateTable('idempotency_keys')
          .set({ result: JSON.stringify(ref) })
          .where('operation', '=', operation)
          .where('key', '=', key)
          .execute();
      }
      await publishChange(trx, change);
      return ok(value);
    });
  } catch (error) {
    if (error instanceof Rejection) return rejected(...error.userErrors);
    if (key && isUniqueViolation(error, 'idempotency_keys_pkey')) {
      const raced = await previous();
      if (raced) return raced;
    }
    throw error;
  }
}
