import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { PothosValidationError } from '@pothos/core';
import { isClientCode, type ErrorCode } from '@minergraph/schema';
import { isDatabaseUnavailable } from '../db/unavailable.js';

export const INTERNAL_MESSAGE = 'Internal server error. The server logged the details under this requestId.';

/** The code of an answer that failed because the database could not be reached; HTTP 503. */
export const DATABASE_UNAVAILABLE: ErrorCode = 'DATABASE_UNAVAILABLE';
/** What `Retry-After` tells a client to wait: about as long as a failover or a pooler's restart takes. */
export const RETRY_AFTER_SECONDS = 5;
const UNAVAILABLE_MESSAGE = 'The database is not answering right now; try again in a few seconds.';

/** PostgreSQL's SQLSTATEs that only a request can cause: query_canceled (statement_timeout), and NUL in text. */
const STATEMENT_TIMEOUT = '57014';
const CHARACTER_NOT_IN_REPERTOIRE = '22021';
const sqlState = (error: unknown) => (error as { code?: unknown } | null)?.code;

/**
 * Apollo refuses some requests with a GraphQLError that has a 4xx HTTP status but no code (an
 * unsupported persisted-query version, a hash that is not the query's): the client's mistake.
 */
function isApolloBadRequest(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** True when the error was made for a client (a GraphQLError with a known code). */
export function isClientError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  const state = sqlState(original);
  if (original instanceof PothosValidationError || state === STATEMENT_TIMEOUT || state === CHARACTER_NOT_IN_REPERTOIRE) return true;
  if (isApolloBadRequest(original)) return true;
  const code = original instanceof GraphQLError ? original.extensions.code : undefined;
  return isClientCode(code);
}

/**
 * What a client sees of an error: its own message for expected failures; for anything
 * else only INTERNAL_SERVER_ERROR, never a stack, SQL or connection string.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  // Apollo reports every validation-rule error as GRAPHQL_VALIDATION_FAILED; our rules give
  // their own codes (a bad scalar literal is BAD_USER_INPUT, an alias bomb TOO_MANY_ALIASES).
  const inner = original instanceof GraphQLError ? (original.originalError ?? original) : original;
  const ownCode = inner instanceof GraphQLError ? inner.extensions.code : undefined;
  if (isClientCode(ownCode) && ownCode !== formatted.extensions?.code) {
    return { ...formatted, extensions: { ...(inner as GraphQLError).extensions, code: ownCode } };
  }
  // The server's own wording, at the field's path: nothing of what was thrown.
  const answer = (code: ErrorCode, message: string): GraphQLFormattedError => ({
    message,
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code },
  });
  if (isDatabaseUnavailable(inner)) return answer('DATABASE_UNAVAILABLE', UNAVAILABLE_MESSAGE);
  // PostgreSQL's query_canceled, raised by statement_timeout: the request asked for too much.
  if (sqlState(inner) === STATEMENT_TIMEOUT) {
    return answer(
      'STATEMENT_TIMEOUT',
      'The database took longer than the statement timeout allows; ask for a shorter range or fewer rows.',
    );
  }
  // Text with U+0000, which PostgreSQL cannot store or compare; the statement failed, nothing was written.
  if (sqlState(inner) === CHARACTER_NOT_IN_REPERTOIRE) {
    return answer('BAD_USER_INPUT', 'Text arguments cannot contain the NUL character (\\u0000); remove it and try again.');
  }
  // Pothos rejects a malformed global id (node(id:), an input's companyId) while mapping arguments.
  if (inner instanceof PothosValidationError) return answer('BAD_USER_INPUT', inner.message);
  if (isApolloBadRequest(inner)) return answer('BAD_REQUEST', formatted.message);
  const code = formatted.extensions?.code;
  if (isClientCode(code)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: INTERNAL_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
