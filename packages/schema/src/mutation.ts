import { decodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from './context.js';
import type { UserErrorModel } from './types/user-error.js';
import { rejected, type Actor, type WriteResult } from './writes.js';

export function actorOf(context: Context): Actor {
  return { apiKeyId: context.viewer.apiKeyId };
}

/** The database id inside a global id of the given type, or null if it is not one. */
export function localId(globalId: string, typename: string): string | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typename && /^\d{1,18}$/.test(decoded.id) ? decoded.id : null;
  } catch {
    return null;
  }
}

export function notFound(field: string[], what: string): UserErrorModel {
  return { field, code: 'NOT_FOUND', message: `No ${what} has this id.` };
}

/** A payload whose `key` holds the written thing, or null beside the userErrors. */
export function payload<K extends string, T>(key: K, result: WriteResult<T>): Record<K, T | null> & { userErrors: UserErrorModel[] } {
  return (result.ok ? { [key]: result.value, userErrors: [] } : { [key]: null, userErrors: result.userErrors }) as Record<K, T | null> & {
    userErrors: UserErrorModel[];
  };
}

export const COMPANY_ID_DESCRIPTION = 'The company, by its global id. Give this or `ticker`: exactly one.';
export const USER_ERRORS_DESCRIPTION = 'Why nothing was written; empty when the write succeeded.';
export const SOURCE_INPUT_DESCRIPTION = 'Where the fact was published; recorded with it.';
export const COMPANY_TICKER_DESCRIPTION =
  'The company, by its ticker (case-insensitive), instead of `companyId`; a ticker no company has is NOT_FOUND.';

/**
 * A write's input with the global id in `companyId` decoded to the database's id, when that is
 * how it names its company. A ticker, or both or neither, goes to the write as sent: the write
 * checks that exactly one is given and resolves the ticker, in the transaction that locks the company.
 */
export function withLocalCompanyId<T extends { companyId?: string | null; ticker?: string | null }>(input: T): WriteResult<T> {
  if (input.companyId === null || input.companyId === undefined || (input.ticker !== null && input.ticker !== undefined)) {
    return { ok: true, value: input };
  }
  const companyId = localId(input.companyId, 'Company');
  return companyId ? { ok: true, value: { ...input, companyId } } : rejected(notFound(['input', 'companyId'], 'company'));
}
