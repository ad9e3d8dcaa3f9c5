import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { redactUrl } from '../config.js';
import type { Logger } from '../logger.js';
import { openDatabase, type DatabaseHandle, type OpenOptions } from './connect.js';
import type { Database } from './database.js';
import { checkoutUnbroken, liveConnections, type LiveClient, type LivePool } from './live-connections.js';
import { isDatabaseUnavailable } from './unavailable.js';

/** Where a read-only operation runs. */
export type ReadTarget = 'primary' | 'replica';

/** A WAL position as PostgreSQL prints a `pg_lsn`: two hexadecimal halves, e.g. `0/16B3748`. */
export const LSN_PATTERN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;

/** How often a read that waits for the replica asks how far it has replayed. */
const POLL_MS = 10;
/** How often an unreachable replica is tried again; reads go to the primary meanwhile. */
const PROBE_MS = 1_000;
/** A replica that does not accept a connection within this is taken as unreachable. */
const CONNECT_TIMEOUT_MS = 2_000;

export interface ReadReplicaStatus {
  /**
   * `streaming`: answering, a standby replaying the primary's WAL; `not-a-standby`: answering,
   * but promoted or never a replica (it no longer receives the primary's writes);
   * `unavailable`: reads go to the primary.
   */
  status: 'streaming' | 'not-a-standby' | 'unavailable';
  location: string;
  /** How far the replica has replayed the primary's WAL (null when unavailable). */
  replayLsn: string | null;
}

export interface ReadReplica {
  /** The replica; a connection it cannot open is taken from the primary instead. */
  readonly db: Kysely<Database>;
  readonly location: string;
  /**
   * Where a read goes: the replica, unless it is unreachable, or `minLsn` (the position of the
   * client's last write) is given and the replica has not replayed that far within the wait.
   */
  targetFor(minLsn: string | null): Promise<ReadTarget>;
  /**
   * How many times the replica has stopped answering so far: a read sent to the replica that
   * sees this grow before it is answered has been finished on the primary.
   */
  readonly outages: number;
  status(): Promise<ReadReplicaStatus>;
  close(): Promise<void>;
}

/**
 * Opens DATABASE_READ_URL beside the primary. Nothing is asked of the replica here: one that is
 * down when the server starts is one that is down later, and reads go to the primary until it
 * answers.
 */
export async function openReadReplica(
  primary: DatabaseHandle,
  options: { url: string; maxWaitMs: number; logger: Logger } & Pick<
    OpenOptions,
    'onQuery' | 'statementTimeoutMs' | 'onPoolError' | 'poolSize'
  >,
): Promise<ReadReplica> {
  if (!primary.pgPool || primary.engine !== 'postgres') throw new Error('A read replica needs a PostgreSQL primary.');
  const replica = await openDatabase({ ...options, databaseUrl: options.url, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  return readReplicaOver(primary.pgPool, replica.pgPool!, options);
}

function readReplicaOver(
  primaryPool: pg.Pool,
  replicaPool: pg.Pool,
  options: { url: string; maxWaitMs: number; logger: Logger } & Pick<OpenOptions, 'onQuery'>,
): ReadReplica {
  const { logger, maxWaitMs } = options;
  const location = redactUrl(options.url);
  let unreachable = false;
  let outages = 0;
  let probe: NodeJS.Timeout | undefined;
  let closed = false;

  // Logged once when the replica goes, once when it is back: not once per read meanwhile.
  const markUnreachable = (error: unknown) => {
    if (unreachable || closed) return;
    unreachable = true;
    outages += 1;
    logger.warn({ err: error, replica: location }, 'the read replica does not answer: reads go to the primary until it does');
    probe = setInterval(() => {
      replicaPool.query('select 1').then(
        () => {
          if (!unreachable) return;
          unreachable = false;
          clearInterval(probe);
          logger.info({ replica: location }, 'the read replica answers again: reads go to it');
        },
        () => undefined,
      );
    }, PROBE_MS);
    probe.unref();
  };

  /** A statement on the replica; a pooled connection that died idle is replaced once, as liveConnections does. */
  const askReplica = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R | null> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return (await replicaPool.query<R>(text, values)).rows[0] ?? null;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        if (attempt === 1) {
          markUnreachable(error);
          return null;
        }
      }
    }
  };

  // An idle connection that broke may be the replica going down: find out before the next read
  // is sent there. (A connection ended alone, by pg_terminate_backend say, finds it answering.)
  replicaPool.on('error', () => {
    if (!unreachable && !closed) void askReplica('select 1').catch(() => undefined);
  });

  const primaryConnections = liveConnections(primaryPool);
  /** Another replica connection, or the primary's when the replica refuses one. */
  const replicaOrPrimary = async (): Promise<LiveClient> => {
    if (unreachable) return primaryConnections.connect();
    try {
      return await checkoutUnbroken(replicaPool);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      markUnreachable(error);
      return primaryConnections.connect();
    }
  };
  // Every statement here is a read. When a checkout's first one finds its connection gone
  // (it died idle, or the replica went down since the last probe) it is sent again, on a new
  // replica connection or, when the replica refuses one, on the primary.
  const orPrimary: LivePool = {
    async connect() {
      let client: LiveClient | null = await replicaOrPrimary();
      let first = true;
      return {
        query(textOrSubmittable: string | pg.Submittable, values?: readonly unknown[]): never {
          const resend = first && typeof textOrSubmittable === 'string';
          first = false;
          if (typeof textOrSubmittable !== 'string') return client!.query(textOrSubmittable) as never;
          const run = () => client!.query(textOrSubmittable, values as unknown[] | undefined);
          if (!resend) return run() as never;
          return run().catch(async (error: unknown) => {
            if (!isDatabaseUnavailable(error)) throw error;
            const failed = client!;
            client = null;
            failed.release(error as Error);
            client = await replicaOrPrimary();
            return run();
          }) as never;
        },
        release: (error?: Error | boolean) => client?.release(error),
      } as LiveClient;
    },
    // Each pool is ended by its owner: the replica's by close(), the primary's by its handle.
    end: async () => {},
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: orPrimary }), log: options.onQuery });

  /** True once the replica has replayed up to `minLsn` (at once when it is not a standby: then it is a primary itself). */
  const replayed = async (minLsn: string): Promise<boolean> => {
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      const row = await askReplica<{ caught_up: boolean }>(
        'select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, not pg_is_in_recovery()) as caught_up',
        [minLsn],
      );
      if (row === null) return false;
      if (row.caught_up) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
    }
  };

  return {
    db,
    location,
    get outages() {
      return outages;
    },
    async targetFor(minLsn) {
      if (unreachable) return 'primary';
      if (minLsn === null) return 'replica';
      try {
        return (await replayed(minLsn)) ? 'replica' : 'primary';
      } catch (error) {
        // Whatever the replica's trouble, the primary has the write.
        logger.warn({ err: error, replica: location }, 'could not ask the read replica how far it has replayed: reading on the primary');
        return 'primary';
      }
    },
    async status() {
      const row = unreachable
        ? null
        : await askReplica<{ standby: boolean; lsn: string | null }>(
            'select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as lsn',
          ).catch(() => null);
      if (row === null) return { status: 'unavailable', location, replayLsn: null };
      return { status: row.standby ? 'streaming' : 'not-a-standby', location, replayLsn: row.lsn };
    },
    async close() {
      closed = true;
      clearInterval(probe);
      await db.destroy();
      await replicaPool.end();
    },
  };
}
