/**
 * SQLSTATEs that mean the connection is gone or will not be had: class 08 (connection
 * exception), the operator's shutdowns: admin_shutdown (pg_terminate_backend, a fast
 * shutdown), crash_shutdown, cannot_connect_now (starting up), idle_session_timeout; and
 * too_many_connections.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300']);
/** Socket failures, from Node or pg: the server refused, reset or never answered. */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What pg says when a connection breaks under it, or it is asked to use a broken one. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^timeout exceeded when trying to connect/,
];

/**
 * True when an error says the database could not be reached rather than that the request was
 * wrong: the request may succeed unchanged once the database is back. A FATAL (or PANIC)
 * error from PostgreSQL ends the session, whatever its SQLSTATE: the database is not accepting
 * connections, no longer exists under that name, or refused the login.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const e = error as { code?: unknown; severity?: unknown; message?: unknown; cause?: unknown; errors?: unknown; originalError?: unknown };
  // A GraphQLError's own message may echo a client's input; only what it wraps can say this.
  if ('originalError' in e) return isDatabaseUnavailable(e.originalError, depth + 1);
  if (typeof e.code === 'string' && (e.code.startsWith('08') || UNAVAILABLE_STATES.has(e.code) || UNAVAILABLE_ERRNOS.has(e.code)))
    return true;
  if (e.severity === 'FATAL' || e.severity === 'PANIC') return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  // Node reports a refused connection to each of a host's addresses as one AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
