// The steps of a GraphQL request (request log, metrics, CORS, body, limits, Apollo) written
// against node:http's request and response, so that Express can mount them and a bare
// node:http server can run them without Express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { noteCodesOfErrorBody } from './request-log.js';
import { searchOf } from './urls.js';

/** A connect-style handler, as Express mounts it. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
export type NodeErrorHandler = (error: unknown, req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Runs handlers in order on one request, as Express's router does for a path it has matched,
 * without its routing, its request and response prototypes, or its per-request set-up: for
 * `POST /graphql`, where that cost was most of what the server spent on a small query. An error
 * passed to `next` (or thrown, or a rejected promise) goes to `onError`, then to `onUnhandled`.
 */
export function runHandlers(
  handlers: readonly NodeHandler[],
  onError: NodeErrorHandler,
  onUnhandled: (error: unknown, req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let index = 0;
    let failed = false;
    const unhandled = (error?: unknown) => onUnhandled(error, req, res);
    const fail = (error: unknown) => {
      if (failed) return unhandled(error);
      failed = true;
      try {
        onError(error, req, res, unhandled);
      } catch (thrown) {
        unhandled(thrown);
      }
    };
    const next = (error?: unknown) => {
      if (error !== undefined) return fail(error);
      const handler = handlers[index++];
      if (!handler) return unhandled();
      try {
        const result = handler(req, res, next) as unknown;
        if (result instanceof Promise) result.catch(fail);
      } catch (thrown) {
        fail(thrown);
      }
    };
    next();
  };
}

/**
 * Apollo Server behind node:http (what @as-integrations/express5 does, without Express): the
 * parsed body is `req.body` (express.json, mounted before), the answer is written whole, with
 * Content-Length. Error codes of answers Apollo gives outside its plugin hooks are noted for
 * the request log.
 */
export function apolloHandler<C extends BaseContext>(
  apollo: ApolloServer<C>,
  context: (req: IncomingMessage, res: ServerResponse) => Promise<C>,
): NodeHandler {
  apollo.assertStarted('apolloHandler()');
  return async (req, res) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: (req.method ?? 'GET').toUpperCase(),
        headers,
        search: searchOf(req.url),
        body: (req as IncomingMessage & { body?: unknown }).body,
      },
      context: () => context(req, res),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      const body = response.body.string;
      if (res.statusCode === 304) {
        // Not modified (response-cache.ts): the client holds the answer; nothing about a body is sent.
        res.removeHeader('content-type');
        res.end();
        return;
      }
      if (res.statusCode >= 400) noteCodesOfErrorBody(res, body);
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('content-length', Buffer.byteLength(body));
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
