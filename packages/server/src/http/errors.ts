import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { PothosValidationError } from '@pothos/core';
import { isDatabaseUnavailable } from '../db/unavailable.js';

export { isDatabaseUnavailable };

/** Codes a client may see with their own message; anything else is an internal error. */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_REQUIRED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_IMPLEMENTED',
  'QUERY_TOO_COMPLEX',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_BROAD',
  'QUERY_TOO_LONG',
  'TOO_MANY_ALIASES',
  'TOO_MANY_ROOT_FIELDS',
  'STATEMENT_TIMEOUT',
  // A derived figure the stored facts cannot give (a percent of a price that rounded to 0).
  'NOT_COMPUTABLE',
  // Too many requests from one API key or address (HTTP 429 with Retry-After).
  'RATE_LIMITED',
  // A subscription to a company or asset that does not exist.
  'NOT_FOUND',
  // More subscriptions on one WebSocket connection than the server allows.
  'TOO_MANY_SUBSCRIPTIONS',
]);

export const INTERNAL_MESSAGE = 'Internal server error. The server logged the details under this requestId.';

/** The code of an answer that failed because the database could not be reached; HTTP 503. */
export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';
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
  return typeof code === 'string' && CLIENT_CODES.has(code);
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
  if (typeof ownCode === 'string' && CLIENT_CODES.has(ownCode) && ownCode !== formatted.extensions?.code) {
    return { ...formatted, extensions: { ...(inner as GraphQLError).extensions, code: ownCode } };
  }
  if (isDatabaseUnavailable(inner)) {
    return { message: UNAVAILABLE_MESSAGE, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: DATABASE_UNAVAILABLE } };
  }
  // PostgreSQL's query_canceled, raised by statement_timeout: the request asked for too much.
  if (sqlState(inner) === STATEMENT_TIMEOUT) {
    return {
      message: 'The database took longer than the statement timeout allows; ask for a shorter range or fewer rows.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'STATEMENT_TIMEOUT' },
    };
  }
  // Text with U+0000, which PostgreSQL cannot store or compare; the statement failed, nothing was written.
  if (sqlState(inner) === CHARACTER_NOT_IN_REPERTOIRE) {
    return {
      message: 'Text arguments cannot contain the NUL character (\\u0000); remove it and try again.',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'BAD_USER_INPUT' },
    };
  }
  // Pothos rejects a malformed global id (node(id:), an input's companyId) while mapping arguments.
  if (inner instanceof PothosValidationError) {
    return { message: inner.message, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'BAD_USER_INPUT' } };
  }
  if (isApolloBadRequest(inner)) {
    return { message: formatted.message, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'BAD_REQUEST' } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
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
