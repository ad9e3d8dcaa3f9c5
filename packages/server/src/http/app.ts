/*
 * A GraphQL request's life, in order (each refusal names its `extensions.code`):
 *
 * 1. Connection: Node's HTTP server drops a client that stalls before or while sending
 *    (headers, request and idle-socket timeouts: listeningServer below).
 * 2. Before GraphQL, in this order: tracing when on; a request id and the one log line written
 *    when the response finishes (request-log.ts); metrics when on; the CORS policy (cors.ts).
 *    `POST /graphql` takes these steps and the next on node:http alone (node-handlers.ts);
 *    Express routes every other request, through the same steps, then the routes that are not
 *    GraphQL (health, docs, playground).
 * 3. Limits on the raw request (limits.ts): a body over MINERGRAPH_MAX_BODY_BYTES is
 *    PAYLOAD_TOO_LARGE (413), a body that is not JSON BAD_REQUEST, a document over
 *    MINERGRAPH_MAX_QUERY_LENGTH QUERY_TOO_LONG; all before anything is parsed.
 * 4. Apollo: the context is made (a malformed Authorization header is UNAUTHENTICATED, a
 *    malformed MinerGraph-Min-Lsn header BAD_REQUEST; the key is not looked up yet); a
 *    hash-only request is answered from the persisted-operation manifest or the registered
 *    documents (persisted.ts); the document is parsed.
 * 5. Validation, on the document alone: graphql-js's rules, malformed Decimal/Date/DateTime
 *    literals (ScalarLiteralsRule in @minergraph/schema: BAD_USER_INPUT naming the argument),
 *    too many aliases or root fields (aliasAndRootFieldRule: TOO_MANY_ALIASES, TOO_MANY_ROOT_FIELDS).
 * 6. Admission, once the operation is resolved (`admission` below), in this order so a refused
 *    request costs no SQL: persisted-only mode (PERSISTED_QUERY_REQUIRED); depth, breadth and
 *    cost with the variables (checkComplexity: QUERY_TOO_DEEP, QUERY_TOO_BROAD,
 *    QUERY_TOO_COMPLEX); then the API key (UNAUTHENTICATED; MINERGRAPH_REQUIRE_AUTH); then the
 *    client's rate limit, by key or address (rate-limits.ts).
 * 7. Execution: graphql-js coerces the variables (a malformed one is BAD_USER_INPUT, its path
 *    put in `extensions.field` by variable-errors.ts); the schema's resolvers run, writes
 *    needing the editor scope (@minergraph/schema builder.ts), reading and writing through the
 *    repositories and writes (createDataSources): a query on the read replica when there is one
 *    that has replayed the client's MinerGraph-Min-Lsn, else on the primary, and a mutation's
 *    answer carries MinerGraph-Wal-Lsn (read-routing.ts); each SQL statement within
 *    MINERGRAPH_STATEMENT_TIMEOUT_MS on PostgreSQL (db/connect.ts).
 * 8. Errors: unexpected ones are logged with the request id (`errorReporting` below);
 *    suggestions are stripped when off; formatError (errors.ts) passes the codes of the
 *    catalogue (@minergraph/schema error-codes.ts) and turns everything else into
 *    INTERNAL_SERVER_ERROR; the response gets the request id on such errors, and 503 with
 *    Retry-After when the database is unreachable (DATABASE_UNAVAILABLE). The rate-limit
 *    turn is released, and the log line lists the codes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { clientError, createContext, schema, ScalarLiteralsRule, type Context } from '@minergraph/schema';
import type { DatabaseHandle } from '../db/connect.js';
import type { ReadReplica } from '../db/read-replica.js';
import { isMigratedToLatest, LATEST_MIGRATION } from '../db/migrate.js';
import type { Logger } from '../logger.js';
import { viewerForKey } from '../repositories/api-key.repository.js';
import { createClientLimiter, type ClientLimiter, type RateLimits } from './rate-limits.js';
import { metricsRoute, type Metrics } from './metrics.js';
import type { Tracing } from '../tracing.js';
import { createDataSources } from '../repositories/index.js';
import { lookAhead } from '../look-ahead/plugin.js';
import { answerText } from '../look-ahead/json-text.js';
import {
  DEFAULT_LIMITS,
  DEFAULT_SUBSCRIPTION_LIMITS,
  DEFAULT_TIMEOUTS,
  type CorsOrigins,
  type Limits,
  type ServerTimeouts,
  type SubscriptionLimits,
} from '../config.js';
import { corsPolicy } from './cors.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { DATABASE_UNAVAILABLE, formatError, INTERNAL_MESSAGE, isClientError, RETRY_AFTER_SECONDS } from './errors.js';
import { aliasAndRootFieldRule, bodyErrors, checkComplexity, queryLengthGuard, sendError } from './limits.js';
import { persistedQueryCache, requirePersisted, type Manifest } from './persisted.js';
import { docsRouter, DOCS_PATH, readmeApiSection } from './docs.js';
import { endpointGuide } from './endpoint-guide.js';
import { explorerRouter } from './explorer.js';

export { defaultExplorerDirectory } from './explorer.js';
import { faviconRouter } from './favicon.js';
import { playgroundRouter } from './playground.js';
import { serveSubscriptions, type SubscriptionServer } from './subscriptions.js';
import { variableErrorFields } from './variable-errors.js';
import { minLsnOf, MIN_LSN_HEADER, readRouting } from './read-routing.js';
import { createResponseCache, type ResponseCache, type ResponseCacheOptions } from './response-cache.js';
import { startChangeBus, type ChangeBus } from '../changes/bus.js';
import { everyRequest } from './every-request.js';
import { requestFactsOf, requestFactsPlugin, requestLogging, type RequestFacts } from './request-log.js';
import { apolloHandler, runHandlers, type NodeHandler } from './node-handlers.js';
import { pathOf } from './urls.js';

export const GRAPHQL_PATH = '/graphql';

/** Every GraphQL answer says `Cache-Control: no-store` (what Apollo's cache-control plugin said, without its per-field work). */
function noStore(): ApolloServerPlugin<RequestContext> {
  return everyRequest({
    async willSendResponse({ response }) {
      response.http.headers.set('cache-control', 'no-store');
    },
  });
}

export interface ServerOptions {
  database: DatabaseHandle;
  /** DATABASE_READ_URL: a streaming replica of `database` that serves queries. */
  readReplica?: ReadReplica | null;
  logger: Logger;
  /** Reads need an API key too (MINERGRAPH_REQUIRE_AUTH). */
  requireAuth?: boolean;
  limits?: Limits;
  /** Schema introspection (default on). */
  introspection?: boolean;
  /** The GraphiQL playground (default on). */
  playground?: boolean;
  /**
   * The explorer page at `/`: the folder packages/explorer's build wrote (MINERGRAPH_EXPLORER;
   * serve passes its default folder). Without it, `/` is the playground's, as `/graphql` is.
   */
  explorer?: { directory: string } | null;
  /** "Did you mean ...?" suggestions in error messages (default: as introspection). */
  suggestions?: boolean;
  /** Operations known by hash (the SDK's manifest); clients may send just the hash. */
  manifest?: Manifest;
  /** Only the manifest's operations run (MINERGRAPH_PERSISTED_ONLY). */
  persistedOnly?: boolean;
  /** How long the HTTP server waits on a silent or slow client. */
  timeouts?: ServerTimeouts;
  /** Requests a client may send a minute and at once; none when absent (tests, benchmarks). */
  rateLimits?: RateLimits;
  /** OpenTelemetry spans of each request (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracing?: Tracing | null;
  /** Prometheus metrics of this server, and who may read them at GET /metrics. */
  metrics?: { metrics: Metrics; open: boolean; token: string | null };
  /** Which pages on other origins may call the API (MINERGRAPH_CORS_ORIGINS); default `'local'`. */
  corsOrigins?: CorsOrigins;
  /**
   * Answers to reads kept until a write (MINERGRAPH_RESPONSE_CACHE): off when absent, since
   * only writes that publish a change (changes/changes.ts) move the data version, and tests
   * write rows directly.
   */
  responseCache?: ResponseCacheOptions | null;
  /**
   * Queries whose every field look-ahead/compile.ts knows are answered by one SQL statement that
   * builds the JSON (default on); false runs every query through the resolvers.
   */
  lookAhead?: boolean;
  /**
   * GraphQL subscriptions over WebSocket on the GraphQL path, with these limits (default on,
   * DEFAULT_SUBSCRIPTION_LIMITS); false serves none.
   */
  subscriptions?: SubscriptionLimits | false;
  /** The change bus to key cached answers by and to feed subscriptions; by default the server starts (and stops) its own. */
  changes?: ChangeBus;
}

export type RequestContext = Context & {
  requestId: string;
  /** The key from the Authorization header, looked up only once the operation is valid. */
  presentedKey: string | null;
  /** The client's address, as the rate limits count it when there is no key. */
  clientAddress: string;
  /** The client's last write's WAL position (MinerGraph-Min-Lsn): a read must see at least it. */
  minLsn: string | null;
  /** Ends this request's turn among its client's requests at once (rate limits). */
  releaseAdmission?: () => void;
  /** What the request's log line will say: its operation, error codes and key's name (request-log.ts). */
  requestFacts: RequestFacts;
};

export interface MinerGraphServer {
  app: express.Express;
  /** The WebSocket side (subscriptions); null when off. */
  subscriptions: SubscriptionServer | null;
  /** Starts listening; port 0 picks a free port. Resolves to the GraphQL URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, lets requests in flight finish, then stops Apollo. The database stays open. */
  close(): Promise<void>;
}

function bearerKey(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <key>".');
  return match[1]!;
}

const unauthenticated = (message: string) => clientError('UNAUTHENTICATED', message, { endsRequest: true });

/**
 * Once the operation has parsed and validated: checks its cost against the limits, then
 * finds who is asking. In this order, and in one hook (Apollo runs different plugins' hooks
 * concurrently), so a request refused for its shape costs no SQL, even with a key.
 */
function admission(
  database: DatabaseHandle,
  limits: Limits,
  options: { requireAuth: boolean; persistedOnly: Manifest | null; limiter: ClientLimiter | null },
): ApolloServerPlugin<RequestContext> {
  return everyRequest({
    async didResolveOperation({ contextValue, document, request, operation, operationName, queryHash, schema: operationSchema }) {
      if (operation?.operation === 'subscription') {
        throw clientError('BAD_REQUEST', 'Subscriptions are served over WebSocket (the graphql-ws protocol) at this path, not by HTTP.', {
          endsRequest: true,
        });
      }
      if (options.persistedOnly) requirePersisted(options.persistedOnly, queryHash);
      checkComplexity(operationSchema, limits, {
        document,
        variables: request.variables ?? {},
        operationName: operationName ?? null,
        context: contextValue,
      });
      const key = contextValue.presentedKey;
      if (key === null) {
        if (options.requireAuth)
          throw unauthenticated('This server needs an API key for every request: send "Authorization: Bearer <key>".');
      } else {
        const viewer = await viewerForKey(database.db, key);
        if (viewer === null) throw unauthenticated('That API key is unknown or revoked.');
        contextValue.viewer = viewer;
      }
      // Counted only once the key is known, so made-up keys cannot dodge the address's limit.
      const { viewer } = contextValue;
      contextValue.releaseAdmission = await options.limiter?.admit(
        viewer.apiKeyId
          ? { kind: 'key', id: viewer.apiKeyId, name: viewer.keyName ?? '' }
          : { kind: 'address', address: contextValue.clientAddress },
      );
    },
    async willSendResponse({ contextValue }) {
      contextValue.releaseAdmission?.();
    },
  });
}

/**
 * graphql-js's suggestions name fields, arguments, input fields, enum values and types of the
 * schema. `hideSuggestions` in the validation options leaves them out of validation errors;
 * Apollo Server 5 passes no such flag when it coerces variables (and its own
 * hideSchemaDetailsFromClientErrors only edits validation errors), so an unknown input field or
 * enum value in variables still says "Did you mean ...?". This removes it from every error,
 * in graphql-js's own wording: ' Did you mean [the enum value |to use an inline fragment on ]"a", "b", or "c"?'.
 */
const SUGGESTION = / Did you mean (?:the enum value |to use an inline fragment on )?"[^"]*"(?:, "[^"]*")*(?:,? or "[^"]*")?\?$/;

function withoutSuggestions(): ApolloServerPlugin<RequestContext> {
  return everyRequest({
    async didEncounterErrors({ errors }) {
      for (const error of errors) error.message = error.message.replace(SUGGESTION, '');
    },
  });
}

/**
 * Logs every error a client was not meant to cause, with the request's id, and puts the id in
 * the response. An answer that failed because the database could not be reached is HTTP 503
 * with Retry-After, whichever part of the request (key lookup, a query, a write) hit it.
 */
function errorReporting(logger: Logger): ApolloServerPlugin<RequestContext> {
  return everyRequest({
    async didEncounterErrors({ errors, contextValue, operationName }) {
      for (const error of errors) {
        if (isDatabaseUnavailable(error)) {
          logger.warn({ err: error.originalError ?? error, requestId: contextValue.requestId, operationName }, 'database unavailable');
        } else if (!isClientError(error)) {
          logger.error({ err: error.originalError ?? error, requestId: contextValue.requestId, operationName }, 'unexpected error');
        }
      }
    },
    async willSendResponse({ response, contextValue }) {
      if (response.body.kind !== 'single') return;
      for (const error of response.body.singleResult.errors ?? []) {
        // The errors whose message the server words itself: the request id finds the log line.
        const unavailable = error.extensions?.code === DATABASE_UNAVAILABLE;
        if (error.extensions?.code === 'INTERNAL_SERVER_ERROR' || unavailable)
          (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
        if (unavailable) {
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        }
      }
    },
  });
}

/** Node's HTTP server with timeouts for every stage of a connection at which a client can stall. */
function listeningServer(timeouts: ServerTimeouts): http.Server {
  const httpServer = http.createServer({
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node enforces the two timeouts above on this beat (every 30 s by default), so a
    // stalled request could outlive its timeout by that much.
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 4))),
  });
  // Node starts the headers timeout at a request's first byte: a connection that never sends
  // one would stay open for good. A socket timeout closes it; once a request has arrived, the
  // timeouts above take over, and a slow answer is not cut off.
  httpServer.on('connection', (socket) => socket.setTimeout(timeouts.idleSocketMs));
  httpServer.on('request', (req: http.IncomingMessage) => req.socket.setTimeout(0));
  return httpServer;
}

export async function createServer(options: ServerOptions): Promise<MinerGraphServer> {
  const { database, logger } = options;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const manifest = options.manifest ?? new Map<string, string>();
  const introspection = options.introspection ?? true;
  const suggestions = options.suggestions ?? introspection;
  const data = createDataSources(database.db);
  const replica = options.readReplica ? { replica: options.readReplica, data: createDataSources(options.readReplica.db) } : null;
  const app = express();
  const httpServer = listeningServer(options.timeouts ?? DEFAULT_TIMEOUTS);
  const subscriptionLimits = options.subscriptions === false ? null : (options.subscriptions ?? DEFAULT_SUBSCRIPTION_LIMITS);
  const ownBus = (options.responseCache || subscriptionLimits) && !options.changes ? await startChangeBus(database, logger) : null;
  const bus = options.changes ?? ownBus;
  let responseCache: ResponseCache | null = null;
  if (options.responseCache && bus) {
    const counters = options.metrics?.metrics.watchResponseCache(() => responseCache!.stats());
    // Reads routed to a replica (read-routing.ts swaps in its data sources) are not cached.
    responseCache = createResponseCache(bus, options.responseCache, counters, (context) => context.data === data);
  }

  const apollo = new ApolloServer<RequestContext>({
    schema,
    validationRules: [ScalarLiteralsRule, aliasAndRootFieldRule(limits)],
    persistedQueries: { cache: persistedQueryCache(manifest, !options.persistedOnly) },
    // Look-ahead's and the response cache's answers are their JSON text already (look-ahead/json-text.ts).
    stringifyResult: answerText,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection,
    validationOptions: { hideSuggestions: !suggestions },
    // serve.ts owns the signals: Apollo's own handler would re-raise SIGTERM after stopping,
    // which looks like a second signal and turns a clean stop into a forced exit.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's default landing page loads from a CDN; ours is served from local assets.
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's cache-control plugin wraps every resolver to collect cache hints, which this
      // schema never gives: its only outcome was `Cache-Control: no-store` on every answer.
      ApolloServerPluginCacheControlDisabled(),
      noStore(),
      admission(database, limits, {
        requireAuth: options.requireAuth ?? false,
        persistedOnly: options.persistedOnly ? manifest : null,
        limiter: options.rateLimits ? createClientLimiter(database, options.rateLimits) : null,
      }),
      readRouting({ primary: database, replica, countRead: options.metrics?.metrics.countRead }),
      // After admission: a cached answer is given only to a request that may ask for it.
      ...(responseCache ? [responseCache.plugin()] : []),
      // Last of the plugins that may answer instead of execution: what the cache does not hold.
      ...(options.lookAhead === false
        ? []
        : [
            lookAhead({
              dbFor: (context) => (replica && context.data === replica.data ? replica.replica.db : database.db),
              formatError,
              logger,
            }),
          ]),
      errorReporting(logger),
      variableErrorFields(),
      requestFactsPlugin(),
      ...(suggestions ? [] : [withoutSuggestions()]),
      ...(options.tracing ? [options.tracing.apolloPlugin() as ApolloServerPlugin<RequestContext>] : []),
    ],
  });
  await apollo.start();

  // The steps every request takes first, whether Express routes it or not.
  const firstSteps: NodeHandler[] = [
    ...(options.tracing ? [options.tracing.middleware()] : []),
    requestLogging(logger),
    ...(options.metrics ? [options.metrics.metrics.middleware()] : []),
    corsPolicy(options.corsOrigins ?? 'local'),
  ];
  // Then GraphQL's: the body (its failures answered by bodyErrors), the limits on it, Apollo.
  const readBody: NodeHandler = express.json({ limit: limits.maxBodyBytes });
  const refuseBadBody = bodyErrors(limits);
  const afterBody: NodeHandler[] = [
    queryLengthGuard(limits),
    apolloHandler(
      apollo,
      async (req, res): Promise<RequestContext> => ({
        ...createContext({ data }),
        requestFacts: requestFactsOf(res),
        requestId: String(req.id),
        presentedKey: bearerKey(req.headers.authorization),
        clientAddress: req.socket.remoteAddress ?? 'unknown',
        minLsn: minLsnOf(req.headers[MIN_LSN_HEADER.toLowerCase()]),
      }),
    ),
  ];
  // `POST /graphql`, nearly every request the server gets, takes these steps on node:http alone;
  // Express serves everything else (pages, probes, metrics, GETs of GraphQL) with the same steps.
  const postGraphql = runHandlers([...firstSteps, readBody, ...afterBody], refuseBadBody, (error, req, res) => {
    logger.error({ err: error, requestId: req.id }, 'unexpected error');
    if (res.headersSent) res.destroy();
    else sendError(res, 'INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE, 500, { requestId: req.id });
  });
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method === 'POST' && pathOf(req.url) === GRAPHQL_PATH) postGraphql(req, res);
    else app(req, res);
  });

  app.disable('x-powered-by');
  for (const step of firstSteps) app.use(step);
  if (options.metrics) app.use(metricsRoute(options.metrics.metrics, options.metrics));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (req, res) => {
    const engine = database.engine;
    let migrated: boolean;
    try {
      migrated = await isMigratedToLatest(database.db);
    } catch (error) {
      logger.warn({ err: error, requestId: req.id }, 'database is not answering');
      res.status(503).json({ status: 'unavailable', database: engine, reason: 'The database does not answer.' });
      return;
    }
    if (!migrated) {
      res.status(503).json({
        status: 'unavailable',
        database: engine,
        reason: `The database is not migrated: ${LATEST_MIGRATION} is not applied. Run \`minergraph migrate\`.`,
      });
      return;
    }
    // A replica that does not answer leaves the server ready: its reads go to the primary.
    const readReplica = replica ? await replica.replica.status() : undefined;
    res.json({ status: 'ready', database: engine, migration: LATEST_MIGRATION, ...(readReplica ? { readReplica } : {}) });
  });
  app.use(faviconRouter());
  const docs = readmeApiSection();
  if (docs !== null) app.use(docsRouter(docs));
  const docsPath = docs === null ? null : DOCS_PATH;
  const playground = options.playground ?? true;
  if (options.explorer) {
    app.use(
      explorerRouter({
        directory: options.explorer.directory,
        graphqlPath: GRAPHQL_PATH,
        playgroundPath: playground ? GRAPHQL_PATH : null,
      }),
    );
  }
  if (playground) app.use(playgroundRouter({ graphqlPath: GRAPHQL_PATH, title: 'MinerGraph playground', docsPath }));
  app.use(endpointGuide({ graphqlPath: GRAPHQL_PATH, playground, docsPath }));
  const subscriptions =
    subscriptionLimits && bus
      ? serveSubscriptions(httpServer, {
          path: GRAPHQL_PATH,
          schema,
          bus,
          database,
          data,
          logger,
          limits,
          subscriptionLimits,
          requireAuth: options.requireAuth ?? false,
          manifest,
          persistedOnly: options.persistedOnly ?? false,
          suggestions,
        })
      : null;
  if (subscriptions) options.metrics?.metrics.watchSubscriptions(() => subscriptions.stats());
  // Express would hash every answer for a weak ETag: GraphQL answers that can be kept get
  // theirs from the response cache, computed once (GET only).
  const graphql = express();
  graphql.disable('x-powered-by');
  graphql.set('etag', false);
  app.use(GRAPHQL_PATH, graphql);
  graphql.use(readBody, refuseBadBody, ...afterBody);

  return {
    app,
    subscriptions,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}${GRAPHQL_PATH}`);
        });
      }),
    close: async () => {
      // Subscribers are told the server is going away (1001); the SDK reconnects, to another process if there is one.
      await subscriptions?.close();
      // The drain plugin stops accepting connections and waits for requests in flight.
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await ownBus?.close();
    },
  };
}
