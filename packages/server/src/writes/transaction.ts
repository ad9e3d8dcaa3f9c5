import type { Kysely } from 'kysely';
import { ok, rejected, type UserErrorModel, type WriteResult } from '@minergraph/schema';
import { publishChange, type Change } from '../changes/changes.js';
import type { Database } from '../db/database.js';
import { duplicateError, type DuplicateMessages } from './unique-keys.js';

/** Raised inside a write's transaction to roll it back and answer with userErrors. */
export class Rejection extends Error {
  constructor(readonly userErrors: UserErrorModel[]) {
    super(userErrors.map((error) => error.message).join('; '));
  }
}

/** What a write's work did: its answer, and what it changed. */
export interface Done<T> {
  value: T;
  change: Change;
}

export interface WriteOptions {
  /** The unique keys the write may repeat, each with what to answer then. */
  duplicates?: DuplicateMessages;
}

/**
 * Runs a write's work in one transaction and publishes what it changed in that same
 * transaction (changes/changes.ts), so every process hears of it once it commits. A Rejection,
 * or a unique key the write has words for, rolls it all back and answers with userErrors.
 */
export async function runWrite<T>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>) => Promise<Done<T>>,
  options: WriteOptions = {},
): Promise<WriteResult<T>> {
  try {
    return ok(
      await db.transaction().execute(async (trx) => {
        const { value, change } = await work(trx);
        await publishChange(trx, change);
        return value;
      }),
    );
  } catch (error) {
    if (error instanceof Rejection) return rejected(...error.userErrors);
    const duplicate = duplicateError(error, options.duplicates ?? {});
    if (duplicate) return rejected(duplicate);
    throw error;
  }
}
