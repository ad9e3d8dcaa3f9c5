import { existsSync } from 'node:fs';
import { ConfigError, type Config } from './config.js';
import { defaultManifestPath, loadManifest, type Manifest } from './http/persisted.js';
import { openDatabase, type DatabaseHandle } from './db/connect.js';
import type { ReadReplica } from './db/read-replica.js';
import type { MinerGraphServer } from './http/app.js';
import type { Metrics } from './http/metrics.js';
import type { Logger } from './logger.js';
import { SHUTDOWN_MESSAGE } from './workers.js';
import type { LogEvent } from 'kysely';
import { prepareDatabase } from './seed/prepare.js';

export interface RunningServer {
  url: string;
  server: MinerGraphServer;
  database: DatabaseHandle;
  /** Stops accepting, finishes requests in flight, then closes the database. */
  stop(): Promise<void>;
}

/** The SDK's operations by hash; with MINERGRAPH_PERSISTED_ONLY, the only ones that run. */
function persistedOperations(config: Config, logger: Logger): Manifest {
  const path = config.persistedManifest ?? defaultManifestPath();
  if (path === null || !existsSync(path)) {
    if (config.persistedOnly) {
      throw new ConfigError(
        `MINERGRAPH_PERSISTED_ONLY=true needs the SDK's operation manifest${path ? ` (not found at ${path})` : ''}: run pnpm generate, or set MINERGRAPH_PERSISTED_MANIFEST.`,
      );
    }
    return new Map();
  }
  const manifest = loadManifest(path);
  logger.info({ operations: manifest.size, path, persistedOnly: config.persistedOnly }, 'persisted operations');
  return manifest;
}

/** Opens the database, brings it to the latest migration, seeds an empty one, and listens. */
export async function serve(config: Config, logger: Logger): Promise<RunningServer> {
  const manifest = persistedOperations(config, logger);
  // Loading Apollo, express and the schema takes about as long as opening PGlite: do both at once.
  const http = import('./http/app.js');
  const metricsModule = import('./http/metrics.js');
  let metrics: Metrics | undefined;
  const tracing = config.tracing ? (await import('./tracing.js')).startTracing(config.tracing) : null;
  // Awaited below; these only keep an early failure from going unhandled.
  http.catch(() => undefined);
  metricsModule.catch(() => undefined);
  const connections = {
    statementTimeoutMs: config.limits.statementTimeoutMs,
    onQuery: (event: LogEvent) => {
      metrics?.observeQuery(event);
      tracing?.recordQuery(event);
    },
    onPoolError: (error: Error) => logger.warn({ err: error }, 'a database connection broke; the pool opens a new one when needed'),
  };
  const database = await openDatabase({
    ...connections,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    command: 'serve',
    exclusive: true,
  });
  let readReplica: ReadReplica | null = null;
  try {
    const { applied, seeded } = await prepareDatabase(database.db);
    for (const migration of applied) logger.info({ migration: migration.migrationName, status: migration.status }, 'migration');
    logger.info({ seed: seeded }, seeded === 'loaded' ? 'loaded the seed facts' : 'seed not needed');
    // The CLI beside the server reaches an embedded database through the server.
    await database.share();
    if (config.readReplica) {
      const { openReadReplica } = await import('./db/read-replica.js');
      readReplica = await openReadReplica(database, { ...connections, ...config.readReplica, logger });
      logger.info({ replica: readReplica.location, maxWaitMs: config.readReplica.maxWaitMs }, 'queries go to the read replica');
    }
    const { createServer, defaultExplorerDirectory } = await http;
    metrics = (await metricsModule).createMetrics();
    if (database.pgPool) metrics.watchPool(database.pgPool);
    const server = await createServer({
      database,
      readReplica,
      logger,
      requireAuth: config.requireAuth,
      limits: config.limits,
      introspection: config.introspection,
      playground: config.playground,
      explorer: config.explorer ? { directory: defaultExplorerDirectory() } : null,
      suggestions: config.suggestions,
      manifest,
      persistedOnly: config.persistedOnly,
      timeouts: config.timeouts,
      rateLimits: config.rateLimits,
      metrics: { metrics, open: !config.production, token: config.metricsToken },
      tracing,
      corsOrigins: config.corsOrigins,
      subscriptions: config.subscriptions,
      responseCache: config.responseCache,
      lookAhead: config.lookAhead,
    });
    const url = await server.listen(config.port, config.host);
    logger.info({ url, database: database.engine, location: database.location }, `MinerGraph is serving GraphQL at ${url}`);
    let stopping: Promise<void> | undefined;
    return {
      url,
      server,
      database,
      stop: () => {
        // The spans of the last requests are sent before the process ends.
        stopping ??= server
          .close()
          .finally(() => readReplica?.close())
          .finally(() => database.close())
          .finally(() => tracing?.shutdown());
        return stopping;
      },
    };
  } catch (error) {
    await readReplica?.close();
    await database.close();
    await tracing?.shutdown();
    throw error;
  }
}

/**
 * SIGTERM or SIGINT stop the server gracefully; a second signal, or 15 s, forces the exit. A
 * worker of MINERGRAPH_WORKERS is stopped by its primary process's message instead, which a
 * signal that reached it too (Ctrl-C reaches the whole process group) does not turn into a second.
 */
export function stopOnSignals(running: RunningServer, logger: Logger): void {
  let received = false;
  process.on('message', (message) => {
    if (message === SHUTDOWN_MESSAGE && !received) onSignal('SIGTERM');
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    received = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 15 s: exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    running.stop().then(
      () => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
