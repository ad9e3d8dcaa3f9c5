import { decodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from './context.js';
import type { UserErrorModel } from './types/user-error.js';
import type { Actor, WriteResult } from './writes.js';

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
  return (
    result.ok ? { [key]: result.value, userErrors: [] } : { [key]: null, userErrors: result.userErrors }
  ) as Record<K, T | null> & { userErrors: UserErrorModel[] };
}

export function rejected(...userErrors: UserErrorModel[]): WriteResult<never> {
  return { ok: false, userErrors };
}
