import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MAX_IDEMPOTENCY_KEY_LENGTH, ok, rejected, type Actor, type WriteResult } from '@minergraph/schema';
import { stringify } from 'safe-stable-stringify';
import type { Database } from '../db/database.js';
import { claimedKey, claimKey, rememberResult } from '../repositories/idempotency-key.repository.js';
import { Problems, userError } from './problems.js';
import { runWrite, type Done, type WriteOptions } from './transaction.js';
import { IDEMPOTENCY_KEY_CLAIM, isUniqueViolation } from './unique-keys.js';

/** A write that takes an idempotency key. */
export interface Idempotency<T, Ref> {
  operation: string;
  /** Whose key it is. */
  actor: Actor;
  /** As the client sent it; without one, the write simply runs. */
  key: string | null | undefined;
  /** The request as the client sent it, without the key: a retry must match it exactly. */
  input: unknown;
  /** Rebuilds the first answer from the `ref` its work remembered. */
  replay(ref: Ref): Promise<T>;
}

function fingerprint(input: unknown): string {
  return createHash('sha256')
    .update(stringify(input) ?? '')
    .digest('hex');
}

/**
 * runWrite, with the key claimed first in the same transaction: a concurrent retry waits on it
 * and then replays the first answer, a later retry replays it at once, and the same key with
 * another input is refused.
 */
export async function runIdempotentWrite<T, Ref>(
  db: Kysely<Database>,
  write: Idempotency<T, Ref>,
  work: (trx: Kysely<Database>) => Promise<Done<T> & { ref: Ref }>,
  options: WriteOptions = {},
): Promise<WriteResult<T>> {
  if (!write.key) return runWrite(db, work, options);
  // Compared as the database stores them: text that is not well-formed would be stored
  // altered (a lone surrogate as U+FFFD), and two different keys would replay each other.
  const problems = new Problems();
  problems.text(['input', 'idempotencyKey'], write.key, { max: MAX_IDEMPOTENCY_KEY_LENGTH });
  if (problems.any) return problems.result();

  const { operation } = write;
  // Keys are each API key's own: another client reusing the string neither collides nor sees the answer.
  const key = `${write.actor.apiKeyId ?? 'anonymous'}:${write.key}`;
  const requestHash = fingerprint(write.input);
  const previous = async (): Promise<WriteResult<T> | null> => {
    const claimed = await claimedKey(db, operation, key);
    if (!claimed) return null;
    if (claimed.requestHash !== requestHash) {
      return rejected(
        userError(['input', 'idempotencyKey'], 'IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different input.'),
      );
    }
    return ok(await write.replay(claimed.result as Ref));
  };

  const earlier = await previous();
  if (earlier) return earlier;
  try {
    return await runWrite(
      db,
      async (trx) => {
        await claimKey(trx, { operation, key, requestHash });
        const { value, ref, change } = await work(trx);
        await rememberResult(trx, operation, key, ref);
        return { value, change };
      },
      options,
    );
  } catch (error) {
    if (isUniqueViolation(error, IDEMPOTENCY_KEY_CLAIM)) {
      const raced = await previous();
      if (raced) return raced;
    }
    throw error;
  }
}
