import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { redactUrl } from '../config.js';
import type { Database } from './database.js';

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
  /** PostgreSQL cancels a statement that runs longer (0: no limit). */
  statementTimeoutMs?: number;
  /**
   * Hears of every PostgreSQL connection that broke (terminated by the server, a failover, a
   * pooler's restart, a reset socket). The pool drops that connection and opens a new one when
   * needed; only queries running on it fail.
   */
  onPoolError?: (error: Error) => void;
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(readonly dataDir: string) {
    super(
      `Another MinerGraph process is using the database in ${dataDir}. Stop it first, or point MINERGRAPH_DATA_DIR at another directory. (If that process crashed, its lock expires within 15 seconds.)`,
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
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
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
      if (!reported) options.onPoolError?.(error);
      reported = true;
    });
  });
  // Already reported by the client's own listener above.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: options.onQuery });
  return { db, engine: 'postgres', location: redactUrl(url), pgPool: pool, close: () => db.destroy() };
}

async function openPglite(dataDir: string, options: OpenOptions): Promise<DatabaseHandle> {
  let release: (() => Promise<void>) | undefined;
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true });
    // PGlite is single-process: a second process writing the same directory corrupts it.
    // The lock lives beside the directory and goes stale if its holder dies without releasing it.
    try {
      release = await lockfile.lock(dataDir, { lockfilePath: `${dataDir}.lock`, stale: 15_000, update: 5_000 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirInUseError(dataDir);
      throw error;
    }
    mkdirSync(dirname(dataDir), { recursive: true });
  }
  try {
    const pglite = await PGlite.create(dataDir, {
      parsers: { [DATE_OID]: keepText, [INT8_OID]: keepText },
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite), log: options.onQuery });
    return {
      db,
      engine: 'pglite',
      location: dataDir,
      pglite,
      async close() {
        // Kysely only closes a driver it has used; close PGlite ourselves so its files are
        // always flushed and closed before the lock is released.
        await db.destroy();
        if (!pglite.closed) await pglite.close();
        await release?.();
      },
    };
  } catch (error) {
    await release?.();
    throw error;
  }
}
