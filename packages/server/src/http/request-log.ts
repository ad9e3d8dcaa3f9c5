import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { everyRequest } from './every-request.js';
import type { NodeHandler } from './node-handlers.js';
import { pathOf } from './urls.js';

/** What a request's log line says beyond method, path, status and duration. */
export interface RequestFacts {
  operationName: string | null;
  /** `extensions.code` of every error the response carries, in order. */
  errorCodes: string[];
  /** The name of the API key the request was made with; never the key itself. */
  apiKey: string | null;
}

export interface RequestLine extends RequestFacts {
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

const FACTS = Symbol('requestFacts');
type WithFacts = ServerResponse & { [FACTS]?: RequestFacts };

const factsOf = (res: ServerResponse): RequestFacts =>
  ((res as WithFacts)[FACTS] ??= { operationName: null, errorCodes: [], apiKey: null });

/** The facts noted so far for a response: its operation, error codes and key's name. */
export const requestFactsOf = (res: ServerResponse): RequestFacts => factsOf(res);

/**
 * Apollo answers some requests outside any plugin hook and before the context exists (a CSRF
 * refusal, an unreadable Authorization header): their error codes are read from the (small)
 * error body as it is sent (node-handlers.ts). Every other answer's codes are noted by
 * requestFactsPlugin, from the formatted errors, without reading the body.
 * (An AsyncLocalStorage did this before; it put promise hooks on every promise of every request.)
 */
export function noteCodesOfErrorBody(res: ServerResponse, body: string): void {
  const facts = factsOf(res);
  if (res.statusCode >= 400 && facts.errorCodes.length === 0) facts.errorCodes.push(...codesIn(body));
}

function codesIn(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] };
    return (parsed.errors ?? []).map((error) => error.extensions?.code).filter((code): code is string => typeof code === 'string');
  } catch {
    return [];
  }
}

/** For responses sent before GraphQL runs (a body too large, a query too long). */
export function noteErrorCode(res: ServerResponse, code: string): void {
  factsOf(res).errorCodes.push(code);
}

/** The resolved operation's name, the key's name and the error codes, once Apollo knows them. */
export function requestFactsPlugin<C extends { viewer: { keyName: string | null }; requestFacts: RequestFacts }>(): ApolloServerPlugin<C> {
  return everyRequest({
    async willSendResponse({ contextValue, operationName, request, response }) {
      const facts = contextValue.requestFacts;
      facts.operationName = operationName ?? request.operationName ?? null;
      facts.apiKey = contextValue.viewer.keyName;
      if (response.body.kind !== 'single') return;
      for (const error of response.body.singleResult.errors ?? []) {
        const code = error.extensions?.code;
        if (typeof code === 'string') facts.errorCodes.push(code);
      }
    },
  });
}

/**
 * One line per request, written when the response is finished: request id, method, path
 * (without the query string, which may hold a whole GraphQL document), status, duration,
 * operation, error codes and the API key's name. No headers: they hold keys and cookies.
 * Anything else a request logs names `requestId: req.id`.
 * (Hand-written rather than pino-http, which also built and serialised a child logger with the
 * whole request, headers and all, for every request, though this line never shows it. A lazy
 * `req.log` getter, an accessor defined on each request object, went too.)
 */
export function requestLogging(logger: Logger): NodeHandler {
  return (req, res, next) => {
    const started = Date.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    const finished = () => {
      res.off('close', finished);
      res.off('finish', finished);
      res.off('error', finished);
      const facts = factsOf(res);
      const line: RequestLine = {
        method: req.method ?? '',
        // Express rewrites req.url inside a mounted app; originalUrl keeps what the client sent.
        path: pathOf((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url),
        status: res.statusCode,
        durationMs: Date.now() - started,
        operationName: facts.operationName,
        errorCodes: facts.errorCodes,
        apiKey: facts.apiKey,
      };
      const { method, path, operationName, status, durationMs, errorCodes } = line;
      const errors = errorCodes.length > 0 ? ` [${errorCodes.join(', ')}]` : '';
      logger.info(
        { requestId: id, ...line },
        `${method} ${path}${operationName ? ` ${operationName}` : ''} ${status} in ${durationMs} ms${errors}`,
      );
    };
    // Probes are polled all day long: not logged, unless their response fails.
    if (req.url !== '/healthz' && req.url !== '/readyz') {
      res.on('close', finished);
      res.on('finish', finished);
    }
    res.on('error', finished);
    next();
  };
}

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id (X-Request-Id), set by requestLogging. */
    id: string;
  }
}
