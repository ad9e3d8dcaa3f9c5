// What pnpm bench and pnpm bench:load share: a throwaway database to serve from, the server in
// a child process of its own (so its CPU, memory and SQL statements are its own), and the machine.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const POSTGRES_SERVER = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchTarget {
  /** e.g. "PostgreSQL 15.20" or "PGlite 0.4.6". */
  engine: string;
  databaseUrl?: string;
  dataDir?: string;
  open(): Promise<DatabaseHandle>;
  /** Drops the database (or deletes PGlite's directory). */
  destroy(): Promise<void>;
}

/** A new, empty database: on the PostgreSQL server, or with `pglite`, in a temporary directory. */
export async function freshTarget(purpose: string, pglite: boolean): Promise<BenchTarget> {
  if (pglite) {
    const dir = mkdtempSync(join(tmpdir(), `minergraph-${purpose}-`));
    const dataDir = join(dir, 'data');
    const { version } = JSON.parse(readFileSync(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return {
      engine: `PGlite ${version}`,
      dataDir,
      open: () => openDatabase({ dataDir }),
      destroy: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `minergraph_${purpose}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_SERVER });
  await admin.connect();
  const { rows } = await admin.query<{ server_version: string }>('show server_version');
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_SERVER);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    engine: `PostgreSQL ${rows[0]!.server_version.split(' ')[0]}`,
    databaseUrl,
    open: () => openDatabase({ databaseUrl }),
    destroy: async () => {
      const cleanup = new pg.Client({ connectionString: POSTGRES_SERVER });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** Runs `work`, then destroys the target, also when the run is interrupted with Ctrl-C. */
export async function withTarget<T>(target: BenchTarget, work: () => Promise<T>): Promise<T> {
  const interrupted = () => {
    process.stderr.write('\ninterrupted: dropping the benchmark database\n');
    void target.destroy().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    return await work();
  } finally {
    process.off('SIGINT', interrupted);
    await target.destroy();
  }
}

export function describeMachine(engine: string): string[] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  return [
    `date: ${new Date().toISOString().slice(0, 10)}`,
    `machine: ${availableParallelism()} CPUs (nproc), ${model}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory`,
    `software: Node.js ${process.version}, ${engine}`,
  ];
}

export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

/** The server under measurement, in a child process that answers questions over IPC. */
export interface ServedProcess {
  url: string;
  /** Its memory; with `gc`, after two forced garbage collections. */
  memory(gc?: boolean): Promise<Memory>;
  /** SQL statements it has run since it started. */
  statements(): Promise<number>;
  /** Its WebSocket connections and the subscriptions listening for changes. */
  subscriptions(): Promise<{ connections: number; listening: number; slowClosed: number } | null>;
  /** CPU time (user + system) it has used since it started, in milliseconds. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Our GraphQL server, or the hand-written floor (see floor.ts). */
  serve: 'graphql' | 'floor';
  target: BenchTarget;
  /** The server's LOG_LEVEL; `info`, the default, logs a line per request as production does. */
  logLevel?: string;
  /** Our server with its response cache (as `serve` runs by default); off unless set. */
  responseCache?: boolean;
  /** WebSocket connections one client (address) may hold; the default limit otherwise. */
  webSocketsPerClient?: number;
  /** Another checkout of this repository (with its dependencies installed) to serve from instead: the code before a change. */
  root?: string;
  /** A directory for a V8 CPU profile of the served process (node --cpu-prof), written when it stops. */
  cpuProfileDir?: string;
  /**
   * `build` (the default): the served process compiled as the CLI that production runs is
   * (scripts/build-cli.mjs, esbuild); `tsx`: its TypeScript run by tsx, which keeps every
   * function's name by defining it on each function as it is made, a cost production does not pay.
   */
  from?: 'build' | 'tsx';
}

/** The served process of each checkout, built once per run (see ServeOptions.from). */
const builds = new Map<string, Promise<string>>();

function builtServedProcess(root: string): Promise<string> {
  let built = builds.get(root);
  if (!built) {
    built = (async () => {
      const { buildServerEntry } = (await import(join(ROOT, 'scripts/build-cli.mjs'))) as {
        buildServerEntry(entry: string, outdir: string, name: string): Promise<string>;
      };
      // Inside that checkout's packages/server, where the code finds its assets from.
      return buildServerEntry(
        join(root, 'packages/server/bench/served-process.ts'),
        join(root, 'packages/server/.bench-build'),
        'served-process',
      );
    })();
    builds.set(root, built);
  }
  return built;
}

export async function startServedProcess(options: ServeOptions): Promise<ServedProcess> {
  const root = options.root ?? ROOT;
  const fromTsx = options.from === 'tsx';
  const child: ChildProcess = fork(fromTsx ? join(root, 'packages/server/bench/served-process.ts') : await builtServedProcess(root), [], {
    cwd: root,
    execArgv: [
      '--expose-gc',
      ...(fromTsx ? ['--import', 'tsx', '--conditions=@minergraph/source'] : []),
      ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      BENCH_SERVE: options.serve,
      BENCH_SERVE_DATABASE_URL: options.target.databaseUrl ?? '',
      BENCH_SERVE_DATA_DIR: options.target.dataDir ?? '',
      BENCH_SERVE_LOG_LEVEL: options.logLevel ?? 'info',
      BENCH_SERVE_RESPONSE_CACHE: options.responseCache ? 'true' : '',
      BENCH_SERVE_WS_PER_CLIENT: options.webSocketsPerClient ? String(options.webSocketsPerClient) : '',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<string, (reply: any) => void>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message: { type: string; id?: string; url?: string }) => {
      if (message.type === 'listening') resolve(message.url!);
      else if (message.id) pending.get(message.id)?.(message);
    });
    void exited.then((code) => reject(new Error(`the served process exited (${code}) before listening`)));
  });
  const ask = <T>(type: string, extra: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = randomUUID();
      pending.set(id, (reply) => {
        pending.delete(id);
        resolve(reply as T);
      });
      child.send({ type, id, ...extra }, (error) => error && reject(error));
    });
  return {
    url,
    memory: (gc = false) => ask<Memory>('memory', { gc }),
    statements: async () => (await ask<{ statements: number }>('statements')).statements,
    subscriptions: async () =>
      (await ask<{ stats: { connections: number; listening: number; slowClosed: number } | null }>('subscriptions')).stats,
    cpuMs: async () => (await ask<{ micros: number }>('cpu')).micros / 1000,
    stop: async () => {
      await ask('stop').catch(() => undefined);
      await exited;
    },
  };
}
