import { expect } from 'vitest';
import { MinerGraphError } from '../../src/index.js';

/** The MinerGraphError a call rejects with; the test fails if it resolves or rejects with anything else. */
export async function failure(call: Promise<unknown>): Promise<MinerGraphError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MinerGraphError);
  return error as MinerGraphError;
}
