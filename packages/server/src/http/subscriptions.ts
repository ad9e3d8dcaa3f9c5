import type http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
// Renamed: it is no React hook, whatever its name says to the linter.
import { useServer as graphqlWsServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  clientError,
  createContext,
  ScalarLiteralsRule,
  type ErrorCode,
  type ChangeFeed,
  type DataSources,
  type FeedEvent,
  type FeedFilter,
  type Viewer,
} from '@minergraph/schema';
import type { ChangeBus } from '../changes/bus.js';
import type { ChangeEvent } from '../changes/changes.js';
import type { Limits, SubscriptionLimits } from '../config.js';
import type { DatabaseHandle } from '../db/connect.js';
import type { Logger } from '../logger.js';
import { viewerForKey } from '../repositories/api-key.repository.js';
import { formatError } from './errors.js';
import { aliasAndRootFieldRule, checkComplexity } from './limits.js';
import { sha256, type Manifest } from './persisted.js';

/**
 * GraphQL subscriptions over WebSocket (the graphql-ws protocol) on the GraphQL path. A client
 * authenticates in `connectionParams` ({ authorization: 'Bearer <key>' }); each subscription
 * passes the same checks as a query over HTTP (length, validation, aliases, root fields,
 * depth, breadth, cost, the persisted-only mode) before it listens to the change bus.
 */

/** Close codes this server uses besides graphql-ws's own (4400 bad request, 4401, 4403, ...). */
export const CLOSE = {
  /** A key that is missing (MINERGRAPH_REQUIRE_AUTH), malformed, unknown or revoked: not retried. */
  UNAUTHORIZED: 4401,
  /** More connections from one API key or address than MINERGRAPH_MAX_WS_CONNECTIONS_PER_CLIENT. */
  TOO_MANY_CONNECTIONS: 1008,
  /**
   * Try again later: the subscriber read slower than events arrived (more than the buffer waited
   * unsent; reconnect and re-read), or the database could not check its key.
   */
  SLOW_SUBSCRIBER: 1013,
  /** The server may have missed changes (its database listener broke): reconnect and re-read. */
  CHANGES_MISSED: 1012,
  /** The server is stopping. */
  GOING_AWAY: 1001,
} as const;

export interface SubscriptionServerOptions {
  path: string;
  schema: GraphQLSchema;
  bus: ChangeBus;
  database: DatabaseHandle;
  data: DataSources;
  logger: Logger;
  limits: Limits;
  subscriptionLimits: SubscriptionLimits;
  requireAuth: boolean;
  manifest: Manifest;
  persistedOnly: boolean;
  suggestions: boolean;
}

export interface SubscriptionServer {
  /** Open WebSocket connections, subscriptions listening for changes, and connections closed for reading too slowly. */
  stats(): { connections: number; listening: number; slowClosed: number };
  /** Closes every connection (1001) and stops accepting new ones. */
  close(): Promise<void>;
}

interface Connection {
  viewer: Viewer;
  /** Whom the per-client connection cap counts it against, once admitted. */
  client: string | null;
  feed: ChangeFeed;
}

type Extra = { socket: WebSocket; request: http.IncomingMessage };
type ConnectionContext = WsContext<Record<string, unknown> | undefined, Extra>;

const errorOf = (message: string, code: ErrorCode) => clientError(code, message);

function bearerKey(value: unknown): { key: string | null } | { problem: string } {
  if (value === undefined || value === null || value === '') return { key: null };
  const match = typeof value === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match ? { key: match[1]! } : { problem: 'connectionParams.authorization must be "Bearer <key>".' };
}

function matches(filter: FeedFilter, event: ChangeEvent): boolean {
  switch (filter.kind) {
    case 'prices':
      return event.kind === 'prices' && (filter.assetId === null || event.assetId === filter.assetId);
    case 'company':
      return event.kind === 'company' && event.companyId === filter.companyId;
    case 'facts':
      return event.kind === 'facts';
  }
}

/**
 * One connection's view of the change bus: each subscription gets the matching events in
 * commit order, queued while it is busy sending earlier ones. A subscription whose queue
 * passes `bufferSize` (its reader is slower than the events) calls `overflow` and ends.
 */
export function connectionFeed(bus: ChangeBus, bufferSize: number, overflow: () => void, counter?: { listening: number }): ChangeFeed {
  return {
    listen<F extends FeedFilter>(filter: F) {
      type Event = Extract<FeedEvent, { kind: F['kind'] }>;
      const queue: Event[] = [];
      let waiting: ((result: IteratorResult<Event>) => void) | null = null;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        if (counter) counter.listening -= 1;
        unsubscribe();
        queue.length = 0;
        waiting?.({ done: true, value: undefined });
        waiting = null;
      };
      const unsubscribe = bus.onChange((event) => {
        if (done || !matches(filter, event)) return;
        const value = event as unknown as Event;
        if (waiting) {
          const resolve = waiting;
          waiting = null;
          resolve({ done: false, value });
        } else if (queue.length >= bufferSize) {
          finish();
          overflow();
        } else {
          queue.push(value);
        }
      });
      if (counter) counter.listening += 1;
      const iterator: AsyncIterableIterator<Event> = {
        next: () => {
          if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift()! });
          if (done) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve) => {
            waiting = resolve;
          });
        },
        return: () => {
          finish();
          return Promise.resolve({ done: true, value: undefined });
        },
        throw: (error: unknown) => {
          finish();
          return Promise.reject(error);
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
  };
}

/** The source stream onSubscribe opened for an operation's context, for `subscribe` to pick up. */
const openedStreams = new WeakMap<object, AsyncIterableIterator<unknown>>();

/**
 * graphql-js's subscribe, except that the source stream was opened in onSubscribe (so that a
 * subscribe resolver's error, an unknown ticker, is an `error` message) and that each event
 * runs in a context of its own: fresh loaders (a company's holdings are read after the write,
 * not from the first event's cache) and the event's own "today".
 */
function subscribeEachFresh(freshContext: (context: unknown) => unknown) {
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult>> => {
    const events = openedStreams.get(args.contextValue as object);
    if (!events) throw new Error('subscribe without a stream opened by onSubscribe');
    openedStreams.delete(args.contextValue as object);
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: async () => {
        const next = await events.next();
        if (next.done) return { done: true, value: undefined };
        return { done: false, value: await execute({ ...args, rootValue: next.value, contextValue: freshContext(args.contextValue) }) };
      },
      return: async () => {
        await events.return?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  };
}

/** What a subscriber sees of errors: as over HTTP, never a stack, SQL or an internal message. */
function formatted(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    const shown = formatError(error.toJSON(), error);
    const { http: _http, ...extensions } = (shown.extensions ?? {}) as Record<string, unknown>;
    return { ...shown, extensions };
  });
}

export function serveSubscriptions(httpServer: http.Server, options: SubscriptionServerOptions): SubscriptionServer {
  const { bus, database, data, logger, limits, subscriptionLimits, manifest, schema } = options;
  const rules = [...specifiedRules, ScalarLiteralsRule, aliasAndRootFieldRule(limits)];
  const connections = new Map<WebSocket, Connection>();
  const perClient = new Map<string, number>();
  let slowClosed = 0;
  const counter = { listening: 0 };
  const release = (connection: Connection) => {
    if (connection.client === null) return;
    const left = (perClient.get(connection.client) ?? 1) - 1;
    if (left > 0) perClient.set(connection.client, left);
    else perClient.delete(connection.client);
    connection.client = null;
  };

  // The WebSocket server is handed upgrades, not the HTTP server itself: attached to it, ws
  // re-emits the server's own errors (a port in use) and graphql-ws prints them as its own.
  const wss = new WebSocketServer({ noServer: true, path: options.path, maxPayload: limits.maxBodyBytes });
  httpServer.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // An upgraded socket is a WebSocket's: the HTTP server's idle timeout no longer applies (ws pings it instead).
    request.socket.setTimeout(0);
    wss.handleUpgrade(request, socket, head, (webSocket) => wss.emit('connection', webSocket, request));
  });

  // The LISTEN connection broke (or came back): what was written meanwhile went unheard here,
  // so subscribers reconnect (the SDK does by itself) and re-read.
  const unGap = bus.onGap(() => {
    for (const socket of connections.keys())
      socket.close(CLOSE.CHANGES_MISSED, 'Changes may have been missed here: reconnect and re-read.');
  });

  const freshContext = (context: unknown) => {
    const { viewer, changes, requestId } = context as { viewer: Viewer; changes: ChangeFeed; requestId: string };
    return { ...createContext({ data, viewer }), changes, requestId };
  };

  const server = graphqlWsServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      subscribe: subscribeEachFresh(freshContext),
      onConnect: async (ctx: ConnectionContext) => {
        const { socket, request } = ctx.extra;
        const refuse = (code: number, reason: string) => {
          socket.close(code, reason);
          return false;
        };
        const presented = bearerKey(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        if ('problem' in presented) return refuse(CLOSE.UNAUTHORIZED, presented.problem);
        let viewer: Viewer = createContext({ data }).viewer;
        if (presented.key === null) {
          if (options.requireAuth)
            return refuse(CLOSE.UNAUTHORIZED, 'This server needs an API key: connectionParams { authorization: "Bearer <key>" }.');
        } else {
          let found: Viewer | null;
          try {
            found = await viewerForKey(database.db, presented.key);
          } catch (error) {
            // Never graphql-ws's 4500 with the error's message: the database's words stay in the log.
            logger.warn({ err: error }, 'could not look up the API key of a WebSocket connection');
            return refuse(CLOSE.SLOW_SUBSCRIBER, 'The database is not answering right now; try again in a few seconds.');
          }
          if (found === null) return refuse(CLOSE.UNAUTHORIZED, 'That API key is unknown or revoked.');
          viewer = found;
        }
        if (socket.readyState !== socket.OPEN) return false;
        const client = viewer.apiKeyId ? `key:${viewer.apiKeyId}` : `address:${request.socket.remoteAddress ?? 'unknown'}`;
        const open = perClient.get(client) ?? 0;
        if (open >= subscriptionLimits.maxConnectionsPerClient) {
          const whose = viewer.apiKeyId ? 'this API key' : 'this address';
          return refuse(
            CLOSE.TOO_MANY_CONNECTIONS,
            `Too many WebSocket connections for ${whose}: at most ${subscriptionLimits.maxConnectionsPerClient} at once.`,
          );
        }
        perClient.set(client, open + 1);
        const feed = connectionFeed(
          bus,
          subscriptionLimits.bufferSize,
          () => {
            slowClosed += 1;
            logger.warn({ client, bufferSize: subscriptionLimits.bufferSize }, 'closing a slow subscriber');
            socket.close(
              CLOSE.SLOW_SUBSCRIBER,
              `Slow subscriber: over ${subscriptionLimits.bufferSize} events waited unsent. Reconnect and re-read.`,
            );
          },
          counter,
        );
        const connection: Connection = { viewer, client, feed };
        connections.set(socket, connection);
        socket.once('close', () => {
          release(connection);
          connections.delete(socket);
        });
        return true;
      },
      onSubscribe: async (ctx: ConnectionContext, id, payload) => {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return [errorOf('This connection is closing.', 'BAD_REQUEST')];
        const active = Object.keys(ctx.subscriptions).filter((other) => other !== id).length;
        if (active >= subscriptionLimits.maxPerConnection) {
          return [
            errorOf(
              `This connection already has ${active} subscriptions; at most ${subscriptionLimits.maxPerConnection} are allowed on one. Complete one, or open another connection.`,
              'TOO_MANY_SUBSCRIPTIONS',
            ),
          ];
        }
        const hash = (payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
        let text = typeof payload.query === 'string' && payload.query !== '' ? payload.query : undefined;
        if (text === undefined && typeof hash === 'string') text = manifest.get(hash);
        if (text === undefined)
          return [
            errorOf(
              typeof hash === 'string' ? 'PersistedQueryNotFound' : 'The subscription has no query.',
              typeof hash === 'string' ? 'PERSISTED_QUERY_NOT_FOUND' : 'BAD_REQUEST',
            ),
          ];
        if (options.persistedOnly && !manifest.has(sha256(text))) {
          return [
            errorOf(
              "This server runs only the operations of its persisted-operation manifest: subscribe with one of them (the SDK's generated documents are).",
              'PERSISTED_QUERY_REQUIRED',
            ),
          ];
        }
        if (text.length > limits.maxQueryLength) {
          return [errorOf(`The query has ${text.length} characters; at most ${limits.maxQueryLength} are accepted.`, 'QUERY_TOO_LONG')];
        }
        let document: DocumentNode;
        try {
          document = parse(text);
        } catch (error) {
          return [errorOf((error as Error).message, 'GRAPHQL_PARSE_FAILED')];
        }
        const invalid = validate(schema, document, rules, { hideSuggestions: !options.suggestions });
        if (invalid.length > 0) {
          return invalid.map((error) =>
            error.extensions.code
              ? error
              : new GraphQLError(error.message, { nodes: error.nodes ?? null, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
          );
        }
        const operationName = payload.operationName ?? null;
        const operation = getOperationAST(document, operationName);
        if (!operation)
          return [errorOf('The document has no operation by that name, or several and no operationName.', 'OPERATION_RESOLUTION_FAILURE')];
        if (operation.operation !== 'subscription') {
          return [
            errorOf(
              `Over WebSocket this server runs subscriptions only; send a ${operation.operation} by HTTP POST to ${options.path}.`,
              'BAD_REQUEST',
            ),
          ];
        }
        const contextValue = { ...createContext({ data, viewer: connection.viewer }), changes: connection.feed, requestId: `ws-${id}` };
        const variableValues = payload.variables ?? {};
        try {
          checkComplexity(schema, limits, { document, variables: variableValues, operationName, context: contextValue });
        } catch (error) {
          return [error as GraphQLError];
        }
        const args = { schema, document, operationName, variableValues, contextValue };
        const stream = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in stream))
          return [...((stream as ExecutionResult).errors ?? [errorOf('The subscription could not start.', 'BAD_REQUEST')])];
        openedStreams.set(contextValue, stream as AsyncIterableIterator<unknown>);
        return args;
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return;
        for (const error of result.errors) {
          if (!(error.extensions?.code && typeof error.extensions.code === 'string'))
            logger.error({ err: error.originalError ?? error }, 'a subscription event failed');
        }
        return { ...result, errors: formatted(result.errors) } as FormattedExecutionResult;
      },
      onError: (_ctx, _id, _payload, errors) => formatted(errors as GraphQLError[]),
    },
    wss,
  );

  return {
    stats: () => ({ connections: connections.size, listening: counter.listening, slowClosed }),
    close: async () => {
      unGap();
      await server.dispose();
    },
  };
}
