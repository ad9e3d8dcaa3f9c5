import { GraphQLError, type ASTNode } from 'graphql';

/**
 * Every code a client can find in an error's `extensions.code`, what it means, and the HTTP
 * status of a request it ends before execution. This is the one list: errors are made with
 * `clientError`, which takes only these codes, and the server's formatError passes exactly
 * these through with their own message; any other error reaches a client as
 * INTERNAL_SERVER_ERROR. (A mutation's expected failures are not errors but `userErrors`, with
 * the codes of the UserErrorCode enum.)
 */
export const ERROR_CODES = {
  BAD_USER_INPUT: {
    status: 400,
    meaning: 'An argument or variable is not a value the field accepts; `extensions.field` names it when one does.',
  },
  BAD_REQUEST: {
    status: 400,
    meaning: 'The HTTP request is not one this endpoint understands (no query, a malformed body, a wrong content type).',
  },
  GRAPHQL_PARSE_FAILED: { status: 400, meaning: 'The document is not valid GraphQL syntax.' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, meaning: 'The document asks for something the schema does not have.' },
  OPERATION_RESOLUTION_FAILURE: { status: 400, meaning: 'The document has several operations and operationName names none of them.' },
  PERSISTED_QUERY_NOT_FOUND: { status: 400, meaning: 'The persisted-query hash is not known yet: send the query text with it once.' },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 400, meaning: 'Persisted queries are not accepted in the form sent.' },
  PERSISTED_QUERY_REQUIRED: { status: 400, meaning: 'This server runs only the operations of its persisted-operation manifest.' },
  UNAUTHENTICATED: { status: 401, meaning: 'The operation needs an API key, or the key sent is not valid.' },
  FORBIDDEN: { status: 403, meaning: "The API key's role may not do this." },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body is larger than the server accepts.' },
  QUERY_TOO_LONG: { status: 400, meaning: 'The document has more characters than the server accepts.' },
  QUERY_TOO_DEEP: { status: 400, meaning: 'The document nests fields deeper than the server allows.' },
  QUERY_TOO_BROAD: { status: 400, meaning: 'The document selects more fields than the server allows.' },
  QUERY_TOO_COMPLEX: { status: 400, meaning: "The operation's cost (rows and fields asked for) is above the server's limit." },
  TOO_MANY_ALIASES: { status: 400, meaning: 'The document uses more aliases than the server allows.' },
  TOO_MANY_ROOT_FIELDS: { status: 400, meaning: 'The operation selects more root fields than the server allows.' },
  STATEMENT_TIMEOUT: {
    status: 200,
    meaning: 'The database took longer than the statement timeout allows: ask for a shorter range or fewer rows.',
  },
  NOT_COMPUTABLE: { status: 200, meaning: 'A derived figure the stored facts cannot give (a percent of a price that rounded to 0).' },
  NOT_FOUND: {
    status: 400,
    meaning: 'A subscription names a company or asset that does not exist; `extensions.field` names the argument.',
  },
  TOO_MANY_SUBSCRIPTIONS: {
    status: 400,
    meaning: 'One WebSocket connection holds as many subscriptions as the server allows: complete one, or open another connection.',
  },
  RATE_LIMITED: {
    status: 429,
    meaning: 'Too many requests from one API key or address; `extensions.retryAfter` says how many seconds to wait.',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    meaning: 'The database could not be reached; the same request may succeed in a few seconds (Retry-After).',
  },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'An unexpected failure; the server logged it under `extensions.requestId`.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes whose message the server writes itself, whatever was thrown: never a thrown message. */
const SERVER_WORDED: ReadonlySet<ErrorCode> = new Set(['DATABASE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR']);

/** True for a code a client may see together with the message of the error that carries it. */
export function isClientCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code) && !SERVER_WORDED.has(code as ErrorCode);
}

export interface ClientErrorOptions {
  /** More for the client in `extensions` (the field at fault, seconds to wait). */
  extensions?: Record<string, unknown>;
  /** The error ends the request before execution: the response gets the code's HTTP status. */
  endsRequest?: boolean;
  /** Extra response headers when it ends the request (Retry-After). */
  headers?: Map<string, string>;
  nodes?: ASTNode | readonly ASTNode[] | null;
  originalError?: Error | null;
}

/** An error for a client: a code of the catalogue and a message safe to show. */
export function clientError(code: ErrorCode, message: string, options: ClientErrorOptions = {}): GraphQLError {
  const http = options.endsRequest
    ? { http: { status: ERROR_CODES[code].status, ...(options.headers ? { headers: options.headers } : {}) } }
    : {};
  return new GraphQLError(message, {
    ...(options.nodes !== undefined ? { nodes: options.nodes } : {}),
    ...(options.originalError ? { originalError: options.originalError } : {}),
    extensions: { ...options.extensions, code, ...http },
  });
}
