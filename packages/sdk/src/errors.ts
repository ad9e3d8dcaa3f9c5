/**
 * What went wrong, by where it went wrong:
 * - `config`: the client or the call was set up wrongly; nothing was sent.
 * - `network`: the server could not be reached, or the connection broke.
 * - `timeout`: no complete answer within `timeoutMs`.
 * - `http`: the server answered, but not with a GraphQL response (a proxy's 502, a 404 page).
 * - `graphql`: a GraphQL response with `errors`; see `codes`.
 */
export type MinerGraphErrorKind = 'config' | 'network' | 'timeout' | 'http' | 'graphql';

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  /** `code` is UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, NOT_IMPLEMENTED, INTERNAL_SERVER_ERROR, ... */
  extensions?: { code?: string; [key: string]: unknown };
}

export interface MinerGraphErrorDetails {
  kind: MinerGraphErrorKind;
  operationName?: string | undefined;
  status?: number | undefined;
  errors?: readonly GraphQLErrorEntry[] | undefined;
  data?: unknown;
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
  /** The GraphQL errors, for kind `graphql`. */
  readonly errors: readonly GraphQLErrorEntry[] | undefined;
  /** Each distinct `extensions.code` of `errors`, in order: `['UNAUTHENTICATED']`. Empty for other kinds. */
  readonly codes: readonly string[];
  /** For kind `graphql`, whatever `data` came back beside the errors (a partial result), else undefined. */
  readonly data: unknown;

  constructor(message: string, details: MinerGraphErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.operationName = details.operationName;
    this.status = details.status;
    this.errors = details.errors;
    this.data = details.data ?? undefined;
    const codes = (details.errors ?? []).map((error) => error.extensions?.code).filter((code) => typeof code === 'string');
    this.codes = [...new Set(codes)];
  }
}
