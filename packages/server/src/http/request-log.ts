import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger.js';

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

const factsOf = (res: Response): RequestFacts =>
  ((res.locals as { requestFacts?: RequestFacts }).requestFacts ??= { operationName: null, errorCodes: [], apiKey: null });

/** The facts noted so far for a response: its operation, error codes and key's name. */
export const requestFactsOf = (res: Response): Readonly<RequestFacts> => factsOf(res);

/**
 * Apollo formats some errors outside any plugin hook and before the context exists (a CSRF
 * refusal, an unreadable Authorization header); the request they belong to is found here.
 */
const current = new AsyncLocalStorage<RequestFacts>();

/** Mounted just before Apollo's middleware: what runs from there on can note its facts. */
export function collectRequestFacts(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => current.run(factsOf(res), next);
}

/** Wraps formatError so that every error code a client sees is on the request's log line. */
export function noteErrorCodes<T extends unknown[]>(
  format: (formatted: GraphQLFormattedError, ...rest: T) => GraphQLFormattedError,
): (formatted: GraphQLFormattedError, ...rest: T) => GraphQLFormattedError {
  return (formatted, ...rest) => {
    const result = format(formatted, ...rest);
    const code = result.extensions?.code;
    if (typeof code === 'string') current.getStore()?.errorCodes.push(code);
    return result;
  };
}

/** For responses sent before GraphQL runs (a body too large, a query too long). */
export function noteErrorCode(res: Response, code: string): void {
  factsOf(res).errorCodes.push(code);
}

/** The resolved operation's name and the key's name, once Apollo knows them. */
export function requestFactsPlugin<C extends { viewer: { keyName: string | null } }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName, request }) {
          const facts = current.getStore();
          if (!facts) return;
          facts.operationName = operationName ?? request.operationName ?? null;
          facts.apiKey = contextValue.viewer.keyName;
        },
      };
    },
  };
}

/**
 * One line per request, written when the response is finished: request id, method, path
 * (without the query string, which may hold a whole GraphQL document), status, duration,
 * operation, error codes and the API key's name. No headers: they hold keys and cookies.
 * `req.log` is the logger with the request id bound, for anything else a request logs.
 * (Hand-written rather than pino-http, which also built and serialised a child logger with the
 * whole request, headers and all, for every request, though this line never shows it.)
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = Date.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    // The child logger is made only for a request that logs something besides its line.
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', { configurable: true, get: () => (child ??= logger.child({ requestId: id })) });
    const finished = () => {
      res.off('close', finished);
      res.off('finish', finished);
      res.off('error', finished);
      const facts = factsOf(res);
      const line: RequestLine = {
        method: req.method,
        path: req.originalUrl.split('?')[0]!,
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
    /** The logger with the request id bound, set by requestLogging. */
    log: Logger;
  }
}
