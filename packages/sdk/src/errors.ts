/**
 * What went wrong, by where it went wrong:
 * - `config`: the client or the call was set up wrongly; nothing was sent.
 * - `network`: the server could not be reached, or the connection broke.
 * - `timeout`: no complete answer within `timeoutMs`.
 * - `http`: the server answered, but not with a GraphQL response (a proxy's 502, a 404 page).
 * - `unavailable`: the server cannot answer right now (HTTP 503, DATABASE_UNAVAILABLE): the
 *   same call may succeed later; `retryAfter` says when to try again.
 * - `rate-limited`: this API key or address sent too many requests (HTTP 429, RATE_LIMITED);
 *   `retryAfter` says how many seconds to wait.
 * - `graphql`: a GraphQL response with `errors`; see `codes`.
 */
export type MinerGraphErrorKind = 'config' | 'network' | 'timeout' | 'http' | 'unavailable' | 'rate-limited' | 'graphql';

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  /**
   * `code` is UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, INTERNAL_SERVER_ERROR, ... (the README lists them all)
   * `field`, on a malformed value (BAD_USER_INPUT), is the path to it as a mutation's userErrors
   * give it: the argument, or the variable as you named it, then the way into it
   * (`["from"]`, `["input", "points", "12", "high"]`).
   */
  extensions?: { code?: string; field?: readonly string[]; [key: string]: unknown };
}

export interface MinerGraphErrorDetails {
  kind: MinerGraphErrorKind;
  operationName?: string | undefined;
  status?: number | undefined;
  errors?: readonly GraphQLErrorEntry[] | undefined;
  data?: unknown;
  retryAfter?: number | undefined;
  cause?: unknown;
}

/** The one error the client throws; `kind` says where the request failed. */
export class MinerGraphError extends Error {
  override readonly name = 'MinerGraphError';
  readonly kind: MinerGraphErrorKind;
  /** The operation that failed, when known (generated methods always know it). */
  readonly operationName: string | undefined;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The GraphQL errors, for kind `graphql`, and for `unavailable` when the server sent some. */
  readonly errors: readonly GraphQLErrorEntry[] | undefined;
  /** Each distinct `extensions.code` of `errors`, in order: `['UNAUTHENTICATED']`. Empty for other kinds but `unavailable`. */
  readonly codes: readonly string[];
  /** The `extensions.field` of each error that has one, in order: `[["from"]]` for a malformed `from`. */
  readonly fields: readonly (readonly string[])[];
  /** For kinds `graphql` and `unavailable`, whatever `data` came back beside the errors (a partial result), else undefined. */
  readonly data: unknown;
  /** For kinds `unavailable` and `rate-limited`, the seconds the server asked to wait before trying again (its Retry-After), when it said. */
  readonly retryAfter: number | undefined;

  constructor(message: string, details: MinerGraphErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.operationName = details.operationName;
    this.status = details.status;
    this.errors = details.errors;
    this.data = details.data ?? undefined;
    this.retryAfter = details.retryAfter;
    const codes = (details.errors ?? []).map((error) => error.extensions?.code).filter((code) => typeof code === 'string');
    this.codes = [...new Set(codes)];
    this.fields = (details.errors ?? []).flatMap((error) => {
      const field = error.extensions?.field;
      return Array.isArray(field) && field.every((part) => typeof part === 'string') ? [field] : [];
    });
  }
}
