import { documentText, operationNameOf, type TypedDocument } from './documents.js';
import { MinerGraphError, type GraphQLErrorEntry } from './errors.js';

export interface ClientOptions {
  /**
   * The GraphQL endpoint: "http://127.0.0.1:4000/graphql". In a browser page (or a worker) a
   * relative URL such as "/graphql" is resolved against the page's address.
   */
  url: string | URL;
  /** Sent as `Authorization: Bearer <apiKey>`. Writes need a key with the editor role. */
  apiKey?: string | undefined;
  /** Headers for every request. */
  headers?: Record<string, string> | undefined;
  /** The fetch to use (default: the global one). */
  fetch?: FetchLike | undefined;
  /** Give up on a request after this many milliseconds: a MinerGraphError of kind `timeout`. Default 30 000; 0 waits forever. */
  timeoutMs?: number | undefined;
  /** Aborting it cancels every request of this client. */
  signal?: AbortSignal | undefined;
  /**
   * Send operations by the SHA-256 of their text instead of the text; the text follows only
   * when the server does not know the hash. A server in persisted-only mode needs this.
   */
  persisted?: boolean | undefined;
}

export interface RequestOptions {
  /** Headers for this request, over the client's. */
  headers?: Record<string, string> | undefined;
  /** Overrides the client's timeoutMs. */
  timeoutMs?: number | undefined;
  /** Aborting it cancels this request: the promise rejects with the signal's reason, as fetch does. */
  signal?: AbortSignal | undefined;
  /** Which operation of a document with several to run; the generated methods set it. */
  operationName?: string | undefined;
}

/** What the client needs of fetch; the global fetch, undici's and node-fetch's all fit. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<FetchResponse>;

export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** Variables are optional exactly when the document needs none. */
// biome-ignore lint/complexity/noBannedTypes: `{}` is exactly "no variables needed" in this conditional type
export type VariablesArgs<TVariables> = {} extends TVariables
  ? [variables?: TVariables, options?: RequestOptions]
  : [variables: TVariables, options?: RequestOptions];

/** A client that sends documents only: with `@minergraph/sdk/operations`, a bundle carries just the operations it uses. */
export interface RequestClient {
  /** The endpoint this client sends to. */
  readonly url: string;
  /**
   * Sends any document: a generated `...Document`, your own TypedDocumentString or
   * TypedDocumentNode, or a plain string (then the result is `unknown`).
   */
  request<TResult = unknown, TVariables = Record<string, unknown>>(
    document: TypedDocument<TResult, TVariables> | string,
    ...args: VariablesArgs<TVariables>
  ): Promise<TResult>;
}

/** A RequestClient with one method per operation of this package. */

const DEFAULT_TIMEOUT_MS = 30_000;

const hashes = new Map<string, Promise<string>>();

/** The hex SHA-256 of a document's text, with Web Crypto (browsers, Node 18+), once per text. */
function sha256Hex(text: string): Promise<string> {
  let hash = hashes.get(text);
  if (!hash) {
    hash = crypto.subtle
      .digest('SHA-256', new TextEncoder().encode(text))
      .then((digest) => Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join(''));
    hashes.set(text, hash);
  }
  return hash;
}

const NOT_PERSISTED = 'PERSISTED_QUERY_NOT_FOUND';
/** A write's answer: where the write is in the server's WAL (a server with a read replica sends it). */
const WAL_LSN_HEADER = 'minergraph-wal-lsn';
/** Sent back on every later request, so a read served by a replica sees this client's writes. */
const MIN_LSN_HEADER = 'minergraph-min-lsn';

/** A PostgreSQL WAL position, "16/B374D848", as a number; undefined when it is not one. */
function walPosition(lsn: string | null): bigint | undefined {
  const match = lsn === null ? null : /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(lsn.trim());
  return match ? (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`) : undefined;
}
const USAGE = 'createClient({ url: "http://127.0.0.1:4000/graphql" })';

function configError(message: string, operationName?: string): MinerGraphError {
  return new MinerGraphError(message, { kind: 'config', operationName });
}

/** Where the code runs from in a browser page or a worker (and Deno with --location); undefined elsewhere. */
function pageLocation(): { href: string; origin: string } | undefined {
  const location = (globalThis as { location?: { href?: unknown; origin?: unknown } }).location;
  if (typeof location?.href !== 'string' || typeof location.origin !== 'string') return undefined;
  return { href: location.href, origin: location.origin };
}

function endpoint(url: unknown): string {
  if (url === undefined || url === null || url === '') {
    throw configError(`createClient needs the URL of the GraphQL endpoint: ${USAGE}.`);
  }
  const page = pageLocation();
  let parsed: URL;
  try {
    parsed = new URL(String(url), page?.href);
  } catch {
    const relative = page ? '' : ' (a relative URL such as "/graphql" works only in a browser page, which it is resolved against)';
    throw configError(`createClient got url ${JSON.stringify(String(url))}, which is not an absolute URL${relative}: ${USAGE}.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw configError(`createClient got url ${JSON.stringify(parsed.href)}; it must be http: or https:, ${USAGE}.`);
  }
  return parsed.href;
}

/**
 * A browser reports a request that CORS blocked as a bare TypeError ("Failed to fetch"), the
 * same as a server that is down, and tells the reason only in its console. When the page is on
 * another origin than the API, say what is the likely cause and where it is fixed.
 */
function corsHint(url: string, error: unknown): string {
  const page = pageLocation();
  if (!(error instanceof TypeError) || page === undefined || page.origin === 'null') return '';
  const target = new URL(url).origin;
  if (target === page.origin) return '';
  return (
    ` This page's origin (${page.origin}) is not the API's (${target}), so the request was probably blocked by CORS:` +
    ` the server must allow ${page.origin} (a MinerGraph server lists the origins it allows in MINERGRAPH_CORS_ORIGINS).` +
    " The browser's console names the cause."
  );
}

function checkedTimeout(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0)) {
    throw configError(`${where}: timeoutMs must be a number of milliseconds, 0 or more (0 waits forever); got ${String(value)}.`);
  }
  return value;
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}

/** The reason fetch gives, with the system's own (ECONNREFUSED ...) when it has one. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function isGraphQLResponse(body: unknown): body is { data?: unknown; errors?: unknown } {
  return typeof body === 'object' && body !== null && (Array.isArray((body as { errors?: unknown }).errors) || 'data' in body);
}

function errorEntry(entry: unknown): GraphQLErrorEntry {
  if (typeof entry === 'object' && entry !== null && typeof (entry as GraphQLErrorEntry).message === 'string')
    return entry as GraphQLErrorEntry;
  return { message: JSON.stringify(entry) };
}

const UNAVAILABLE = 'DATABASE_UNAVAILABLE';
const RATE_LIMITED = 'RATE_LIMITED';

const describe = (errors: readonly GraphQLErrorEntry[]) =>
  errors.map((e) => (e.extensions?.code ? `${e.message} (${e.extensions.code})` : e.message)).join('; ');

/** Retry-After in seconds: delta-seconds, or an HTTP date counted from now; undefined when absent or unreadable. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The data of a GraphQL response, or the MinerGraphError that says why there is none. */
function dataOf<TResult>(
  response: FetchResponse,
  text: string,
  context: { url: string; label: string; operationName: string | undefined; hasApiKey: boolean },
): TResult {
  const { url, label, operationName } = context;
  const status = response.status;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const errors = isGraphQLResponse(body) && Array.isArray(body.errors) ? body.errors.map(errorEntry) : [];
  // The server, or a proxy before it, cannot answer now, or not to this client this minute;
  // the same call may work later, and Retry-After says when.
  const hasCode = (code: string) => errors.some((e) => e.extensions?.code === code);
  const retryLater =
    status === 503 || hasCode(UNAVAILABLE) ? 'unavailable' : status === 429 || hasCode(RATE_LIMITED) ? 'rate-limited' : null;
  if (retryLater) {
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
    const reason =
      errors.length > 0 ? describe(errors) : `${url} answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}.`;
    const when = retryAfter === undefined ? '' : ` The server asks to retry in ${retryAfter} s.`;
    throw new MinerGraphError(`${label} failed: ${reason}${when}`, {
      kind: retryLater,
      status,
      errors: errors.length > 0 ? errors : undefined,
      data: isGraphQLResponse(body) ? body.data : undefined,
      retryAfter,
      operationName,
    });
  }
  if (!isGraphQLResponse(body)) {
    const type = response.headers.get('content-type') ?? 'no content type';
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    throw new MinerGraphError(`${label} failed: ${url} answered HTTP ${status}${statusText} with ${type}, not a GraphQL response.`, {
      kind: 'http',
      status,
      operationName,
    });
  }
  if (errors.length > 0) {
    // Data beside errors is a partial result: thrown too, so that a missing part is never
    // mistaken for an empty one; the error keeps it in `data`.
    const described = describe(errors);
    const unauthenticated = errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
    const hint = unauthenticated && !context.hasApiKey ? ' This client has no apiKey: createClient({ url, apiKey }).' : '';
    throw new MinerGraphError(`${label} failed: ${described}${hint}`, { kind: 'graphql', status, errors, data: body.data, operationName });
  }
  if (!response.ok || body.data === undefined || body.data === null) {
    throw new MinerGraphError(`${label} failed: ${url} answered HTTP ${status} without data or errors.`, {
      kind: 'http',
      status,
      operationName,
    });
  }
  return body.data as TResult;
}

/**
 * Returns a client with `request` only, the same options and behaviour as createClient's: what
 * `@minergraph/sdk/operations` and `@minergraph/sdk/tanstack` take, so that a bundle carries
 * only the operations it uses.
 */
export function createRequestClient(options: ClientOptions): RequestClient {
  const url = endpoint(options?.url);
  const apiKey = options.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || !/^[\x21-\x7e]+$/.test(apiKey))) {
    throw configError('createClient: apiKey must be the key itself (printable, no spaces, no "Bearer " prefix).');
  }
  const clientTimeoutMs = checkedTimeout(options.timeoutMs, 'createClient') ?? DEFAULT_TIMEOUT_MS;
  if (!options.fetch && typeof fetch !== 'function') {
    throw configError('This runtime has no global fetch: pass one, createClient({ url, fetch }).');
  }
  // Called unbound, some browsers' fetch throws "Illegal invocation".
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const headers = {
    accept: 'application/graphql-response+json, application/json;q=0.9',
    ...lowerCaseKeys(options.headers),
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  };

  // The furthest write of this client: its reads wait for a read replica to have replayed it.
  let lastWrite: { lsn: string; position: bigint } | undefined;
  const noteWrite = (response: FetchResponse) => {
    const lsn = response.headers.get(WAL_LSN_HEADER);
    const position = walPosition(lsn);
    if (position !== undefined && (lastWrite === undefined || position > lastWrite.position)) lastWrite = { lsn: lsn!.trim(), position };
  };

  async function send<TResult>(document: unknown, variables: unknown, requestOptions: RequestOptions = {}): Promise<TResult> {
    const query = documentText(document);
    const operationName = requestOptions.operationName ?? (query === undefined ? undefined : operationNameOf(query));
    const label = operationName ?? 'The request';
    if (query === undefined) {
      throw configError(
        'This is not a GraphQL document the client can send: pass a string, a TypedDocumentString, or a parsed executable document (kind "Document": codegen, gql.tada, graphql-tag, graphql.parse).',
        operationName,
      );
    }
    const timeoutMs = checkedTimeout(requestOptions.timeoutMs, label) ?? clientTimeoutMs;
    const persistedQuery = options.persisted ? { version: 1, sha256Hash: await sha256Hex(query) } : undefined;
    const bodyWith = (withText: boolean): string => {
      try {
        return JSON.stringify({
          ...(withText ? { query } : {}),
          variables: variables ?? {},
          ...(requestOptions.operationName ? { operationName } : {}),
          ...(persistedQuery ? { extensions: { persistedQuery } } : {}),
        });
      } catch (error) {
        throw new MinerGraphError(`${label}: the variables are not JSON (${reasonOf(error)}).`, {
          kind: 'config',
          operationName,
          cause: error,
        });
      }
    };
    const context = { url, label, operationName, hasApiKey: apiKey !== undefined };
    if (!persistedQuery) return dataOf<TResult>(...(await post(bodyWith(true), label, operationName, timeoutMs, requestOptions)), context);
    try {
      return dataOf<TResult>(...(await post(bodyWith(false), label, operationName, timeoutMs, requestOptions)), context);
    } catch (error) {
      if (!(error instanceof MinerGraphError && error.codes.includes(NOT_PERSISTED))) throw error;
      // The server does not know this hash yet: send the text once, which registers it.
      return dataOf<TResult>(...(await post(bodyWith(true), label, operationName, timeoutMs, requestOptions)), context);
    }
  }

  async function post(
    body: string,
    label: string,
    operationName: string | undefined,
    timeoutMs: number,
    requestOptions: RequestOptions,
  ): Promise<[FetchResponse, string]> {
    const callerSignals = [options.signal, requestOptions.signal].filter((signal) => signal !== undefined);
    const alreadyAborted = callerSignals.find((signal) => signal.aborted);
    if (alreadyAborted) throw alreadyAborted.reason;
    const controller = new AbortController();
    const abort = () => controller.abort();
    for (const signal of callerSignals) signal.addEventListener('abort', abort, { once: true });
    let timedOut = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs)
        : undefined;

    let response: FetchResponse;
    let text: string;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: {
          ...headers,
          ...(lastWrite ? { [MIN_LSN_HEADER]: lastWrite.lsn } : {}),
          ...lowerCaseKeys(requestOptions.headers),
          'content-type': 'application/json',
          // Apollo Server's CSRF prevention lets a request through when it says it is not a simple one.
          'apollo-require-preflight': 'true',
        },
        body,
        signal: controller.signal,
      });
      text = await response.text();
      noteWrite(response);
    } catch (error) {
      const callerAbort = callerSignals.find((signal) => signal.aborted);
      if (callerAbort) throw callerAbort.reason;
      if (timedOut) {
        throw new MinerGraphError(`${label} timed out: ${url} did not answer within ${timeoutMs} ms.`, {
          kind: 'timeout',
          operationName,
          cause: error,
        });
      }
      throw new MinerGraphError(`${label} failed: could not reach ${url} (${reasonOf(error)}).${corsHint(url, error)}`, {
        kind: 'network',
        operationName,
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      for (const signal of callerSignals) signal.removeEventListener('abort', abort);
    }
    return [response, text];
  }

  const request = (document: unknown, variables?: unknown, requestOptions?: RequestOptions) => send(document, variables, requestOptions);
  return Object.freeze({ url, request: request as RequestClient['request'] });
}
