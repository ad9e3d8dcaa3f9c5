import type { FieldMap, GenericFieldRef, ObjectRef } from '@pothos/core';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { builder, type Types } from './builder.js';
import type { Context } from './context.js';
import { isRowId } from './ids.js';
import { UserError, type UserErrorModel } from './types/user-error.js';
import { rejected, type Actor, type WriteResult } from './writes.js';

export function actorOf(context: Context): Actor {
  return { apiKeyId: context.viewer.apiKeyId };
}

/** The database id inside a global id of the given type, or null if it is not one. */
export function localId(globalId: string, typename: string): string | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typename && isRowId(decoded.id) ? decoded.id : null;
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

/** What a payload type's resolvers return: each field's value, and the userErrors. */
type PayloadShape<Fields extends FieldMap> = { [K in keyof Fields]: Fields[K] extends GenericFieldRef<infer T> ? T : never } & {
  userErrors: UserErrorModel[];
};

/**
 * The payload type of a mutation, `<Mutation>Payload`: what it wrote (`fields`, null or 0 when
 * refused) and, last, the userErrors that say why nothing was.
 */
export function payloadType<Fields extends FieldMap>(
  mutation: string,
  fields: (t: PothosSchemaTypes.RootFieldBuilder<Types, unknown, 'SimpleObject'>) => Fields,
): ObjectRef<Types, PayloadShape<Fields>> {
  const type = builder.simpleObject(`${mutation[0]!.toUpperCase()}${mutation.slice(1)}Payload`, {
    description: `What ${mutation} did.`,
    fields: (t) => ({ ...fields(t), userErrors: t.field({ type: [UserError], description: USER_ERRORS_DESCRIPTION }) }),
  });
  // Pothos works the shape out for fields it can see, not for generic ones: the same shape, named.
  return type as unknown as ObjectRef<Types, PayloadShape<Fields>>;
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

/** Runs a write that names its company, with `companyId` decoded first (withLocalCompanyId); a global id of no company is NOT_FOUND. */
export async function writeForCompany<T extends { companyId?: string | null; ticker?: string | null }, R>(
  input: T,
  write: (input: T) => Promise<WriteResult<R>>,
): Promise<WriteResult<R>> {
  const named = withLocalCompanyId(input);
  return named.ok ? write(named.value) : named;
}
