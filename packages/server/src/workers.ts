import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';
import { openDatabase } from './db/connect.js';
import type { Logger } from './logger.js';
import { prepareDatabase } from './seed/prepare.js';

/** What the primary process sends a worker to stop it gracefully (serve.ts listens for it). */
export const SHUTDOWN_MESSAGE = 'minergraph:shutdown';
/** A worker gets this long to finish its requests (its own deadline is 15 s) before it is killed. */
const SHUTDOWN_DEADLINE_MS = 18_000;
/** A worker that died is replaced after this pause, so a crash on every request cannot spin the CPU. */
const REPLACE_AFTER_MS = 500;

/**
 * MINERGRAPH_WORKERS > 1: this process migrates and seeds the database once, then runs that
 * many `serve` processes with node:cluster, which share the listening port (the primary accepts
 * and hands connections round-robin). The workers share nothing but the database. A worker
 * that dies once it has served is replaced; one that fails to start stops them all, with its
 * exit status (a configuration error is 2 there too). SIGTERM or SIGINT stop every worker
 * gracefully, and the primary exits 0 once all have stopped cleanly.
 */
export async function superviseWorkers(config: Config, logger: Logger): Promise<void> {
  // Once, before any worker: N processes seeding an empty database at once would race.
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, command: 'serve' });
  try {
    const { applied, seeded } = await prepareDatabase(database.db);
    for (const migration of applied) logger.info({ migration: migration.migrationName, status: migration.status }, 'migration');
    logger.info({ seed: seeded }, seeded === 'loaded' ? 'loaded the seed facts' : 'seed not needed');
  } finally {
    await database.close();
  }

  const listening = new WeakSet<Worker>();
  let stopping = false;
  let failed = false;
  let exitCode = 0;

  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', () => listening.add(worker));
    return worker;
  };
  const living = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && !worker.isDead());

  const stopAll = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ workers: living().length, reason }, 'stopping every server process: finishing requests in flight');
    for (const worker of living()) worker.send(SHUTDOWN_MESSAGE);
    const force = setTimeout(() => {
      logger.error(`server processes still running after ${SHUTDOWN_DEADLINE_MS / 1000} s: killing them`);
      for (const worker of living()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    const clean = code === 0 && signal === null;
    if (stopping) {
      if (!clean && !failed) exitCode = 1;
    } else if (!listening.has(worker)) {
      // It never listened: the next one would fail the same way (a bad manifest, a database that refuses us).
      failed = true;
      exitCode = code === 2 ? 2 : 1;
      logger.error({ pid: worker.process.pid, code, signal }, 'a server process failed to start: stopping the others');
      stopAll('a server process failed to start');
    } else {
      logger.warn({ pid: worker.process.pid, code, signal }, 'a server process died: starting another in its place');
      setTimeout(() => {
        if (!stopping) fork();
      }, REPLACE_AFTER_MS).unref();
    }
    if (stopping && living().length === 0) {
      if (!failed) logger.info({ exitCode }, exitCode === 0 ? 'stopped cleanly' : 'stopped, not every server process cleanly');
      logger.flush();
      process.exit(exitCode);
    }
  });

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: killing every server process now');
      for (const worker of living()) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    signalled = true;
    stopAll(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  cluster.once('listening', (_worker, address) => {
    const host = address.addressType === 6 ? `[${address.address}]` : address.address;
    if (process.stdout.isTTY)
      process.stdout.write(`\n  GraphQL and playground: http://${host}:${address.port}/graphql (${config.workers} processes)\n\n`);
  });
  logger.info({ workers: config.workers }, `starting ${config.workers} server processes on one port`);
  for (let i = 0; i < config.workers; i += 1) fork();
}
