import cors from 'cors';
import type { CorsOrigins } from '../config.js';
import { MIN_LSN_HEADER, WAL_LSN_HEADER } from './read-routing.js';
import type { NodeHandler } from './node-handlers.js';

/**
 * What the SDK sends, and what Apollo honours: its CSRF prevention lets a request through that
 * carries `apollo-require-preflight` (or `x-apollo-operation-name`), and the request log echoes
 * `x-request-id`, and a read that must see the client's last write says so in
 * `minergraph-min-lsn`. `accept` is listed because its value is not always CORS-safelisted.
 */
export const CORS_ALLOWED_HEADERS = [
  'accept',
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
  MIN_LSN_HEADER.toLowerCase(),
];
/**
 * Response headers a page's script may read: when to retry after a 503, the id to report, and
 * where a write is in the WAL (the SDK sends it back so that its next reads see the write).
 */
export const CORS_EXPOSED_HEADERS = ['Retry-After', 'X-Request-Id', WAL_LSN_HEADER];
/** Seconds a browser may reuse a preflight's answer; Chromium caps it at 7200, Firefox at 86400. */
export const CORS_MAX_AGE_SECONDS = 600;

/** A front end's dev server: localhost, 127.0.0.1 or [::1] at any port, http or https. */
const LOCAL_ORIGIN = /^https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;

/**
 * Answers CORS preflights and marks the answers of allowed origins. A disallowed origin's
 * request is still answered, without `Access-Control-Allow-Origin`, so its page cannot read
 * it; Apollo's CSRF prevention keeps refusing simple requests (those without a preflight)
 * whatever their origin.
 */
export function corsPolicy(allowed: CorsOrigins): NodeHandler {
  const origin: cors.CorsOptions['origin'] =
    allowed === '*' ? '*' : allowed === 'local' ? LOCAL_ORIGIN : allowed.length === 0 ? false : [...allowed];
  return cors({
    origin,
    methods: ['GET', 'POST'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
  });
}
