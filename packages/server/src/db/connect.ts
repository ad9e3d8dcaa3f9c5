import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../config.js';
import type { Database } from './database.js';
import { BROKEN, liveConnections } from './live-connections.js';
import { lockDataDir, type DataDirLock, type LockHolder } from './data-dir-lock.js';
import { GatedPGliteDialect, servePgliteSocket, SessionGate, type PgliteSocket } from './pglite-sessions.js';

const DATE_OID = 1082;
const INT8_OID = 20;

export type Engine = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: Engine;
  /** Where the data lives, without secrets. */
  location: string;
  /** The embedded database itself, when the engine is PGlite (tests dump its data directory). */
  pglite?: PGlite;
  /** The pool behind `db`, when the engine is PostgreSQL (bulk loads use COPY on one of its clients). */
  pgPool?: pg.Pool;
  /** A new connection of its own, outside the pool (PostgreSQL only): the change bus LISTENs on one. */
  listenerClient?: () => pg.Client;
  /** The engine is PGlite, reached through the process that has it open (pgPool is that socket). */
  throughSocket?: boolean;
  /**
   * Lets other processes on this host (the CLI beside a server) use this PGlite through a
   * Unix socket while it is open; nothing for PostgreSQL or a database already shared.
   */
  share(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL through `pg`; otherwise PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite's directory, or `memory://` for a throwaway database. */
  dataDir?: string;
  /** A PGlite data directory tarball to start from (tests start from a prepared one). */
  loadDataDir?: Blob;
  /** Sees every statement (tests and benchmarks count them). */
  onQuery?: (event: LogEvent) => void;
  poolSize?: number;
  /** PostgreSQL: give up on opening a connection after this long (default: wait as long as the system does). */
  connectTimeoutMs?: number;
  /** PostgreSQL cancels a statement that runs longer (0: no limit). */
  statementTimeoutMs?: number;
  /** What the opening process does, for the lock file and the messages of other processes. */
  command?: string;
  /** Open the embedded database itself or fail; never through another process that has it open. */
  exclusive?: boolean;
  /**
   * Hears of every PostgreSQL connection that broke (terminated by the server, a failover, a
   * pooler's restart, a reset socket). The pool drops that connection and opens a new one when
   * needed; only queries running on it fail.
   */
  onPoolError?: (error: Error) => void;
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      holder.pid === process.pid
        ? `This process already has the database in ${dataDir} open.`
        : `Another MinerGraph process (pid ${holder.pid}${holder.hostname === hostname() ? '' : ` on ${holder.hostname}`}, running "${holder.command}") is using the database in ${dataDir}. Wait for it to finish, or point MINERGRAPH_DATA_DIR at another directory.`,
    );
  }
}

// Days stay `YYYY-MM-DD` strings: pg would turn them into local-time Dates, PGlite into UTC
// ones, and either conversion invites off-by-one-day bugs. int8 ids stay strings.
const keepText = (value: string) => value;

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir ?? 'memory://', options);
}

function openPostgres(url: string, options: OpenOptions): DatabaseHandle {
  const pool = createPool(
    {
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
    options.onPoolError,
  );
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: liveConnections(pool) }), log: options.onQuery });
  return {
    db,
    engine: 'postgres',
    location: redactUrl(url),
    pgPool: pool,
    listenerClient: () => new pg.Client({ connectionString: url }),
    share: async () => {},
    close: () => db.destroy(),
  };
}

function createPool(config: pg.PoolConfig, onPoolError: OpenOptions['onPoolError']): pg.Pool {
  const pool = new pg.Pool({
    ...config,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID || oid === INT8_OID ? keepText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An 'error' event without a listener ends the process. pg-pool listens on idle clients only
  // and re-emits their errors on the pool; a client that Kysely holds has no listener at all
  // while its query runs, so every client gets one of its own for its whole life.
  // A terminated connection errs twice (PostgreSQL's message, then the closed socket): one report.
  pool.on('connect', (client) => {
    let reported = false;
    client.on('error', (error: Error) => {
      (client as pg.PoolClient & { [BROKEN]?: true })[BROKEN] = true;
      if (!reported) onPoolError?.(error);
      reported = true;
    });
  });
  // Already reported by the client's own listener above.
  pool.on('error', () => {});
  return pool;
}

async function openPglite(dataDir: string, options: OpenOptions): Promise<DatabaseHandle> {
  if (dataDir.startsWith('memory://')) return startPglite(dataDir, options);
  mkdirSync(dirname(dataDir), { recursive: true });
  const attempt = lockDataDir(dataDir, options.command ?? 'minergraph');
  if (attempt.acquired) return startPglite(dataDir, options, attempt.lock);
  // The holder serves the database on a socket: use it through the holder, one session at a time.
  if (attempt.holder.socket && !options.exclusive) return openPgliteThroughSocket(dataDir, attempt.holder, options);
  throw new DataDirInUseError(dataDir, attempt.holder);
}

async function startPglite(dataDir: string, options: OpenOptions, lock?: DataDirLock): Promise<DatabaseHandle> {
  let socket: PgliteSocket | undefined;
  try {
    if (lock) mkdirSync(dataDir, { recursive: true });
    const pglite = await PGlite.create(dataDir, {
      parsers: { [DATE_OID]: keepText, [INT8_OID]: keepText },
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
    const gate = new SessionGate();
    const db = new Kysely<Database>({ dialect: new GatedPGliteDialect(pglite, gate), log: options.onQuery });
    return {
      db,
      engine: 'pglite',
      location: dataDir,
      pglite,
      async share() {
        if (!lock || socket) return;
        socket = await servePgliteSocket(pglite, gate, { directory: socketDirectoryFor(dataDir) });
        lock.advertise(socket.directory);
      },
      async close() {
        try {
          lock?.advertise(null);
          await socket?.close();
          // Kysely only closes a driver it has used; close PGlite ourselves so its files are
          // always flushed and closed before the lock is released.
          await db.destroy();
          if (!pglite.closed) await pglite.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    await socket?.close();
    lock?.release();
    throw error;
  }
}

/** Unix socket paths are short (108 bytes): a deep data directory gets its socket in the temp directory. */
function socketDirectoryFor(dataDir: string): string {
  const beside = `${dataDir}.socket`;
  if (beside.length + '/.s.PGSQL.5432'.length < 100) return beside;
  return join(tmpdir(), `minergraph-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
}

async function openPgliteThroughSocket(dataDir: string, holder: LockHolder, options: OpenOptions): Promise<DatabaseHandle> {
  const pool = createPool({ host: holder.socket!, user: 'postgres', database: 'postgres', max: 1 }, options.onPoolError);
  try {
    await pool.query('select 1');
  } catch {
    await pool.end();
    throw new DataDirInUseError(dataDir, holder);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: liveConnections(pool) }), log: options.onQuery });
  return {
    db,
    engine: 'pglite',
    location: `${dataDir} (through the MinerGraph process ${holder.pid} that has it open)`,
    pgPool: pool,
    throughSocket: true,
    share: async () => {},
    close: () => db.destroy(),
  };
}
