// What both benchmarks share: the machine they ran on, and throwaway databases of each engine.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { insertAsset } from '../src/repositories/asset.repository.js';
import { SYNTHETIC_ASSET_NAME, SYNTHETIC_SYMBOL } from './synthetic-series.js';

export const POSTGRES_SERVER = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  label: string;
  database: DatabaseHandle;
  /** Closes and deletes it. */
  destroy(): Promise<void>;
}

export function describeMachine(): string {
  const cpu = cpus();
  const pglite = JSON.parse(readFileSync(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return [
    `CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} logical cores`,
    `memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `Node.js ${process.version}, PGlite ${pglite.version}`,
  ].join('; ');
}

/** A fresh, migrated PGlite in a temporary directory, with the synthetic asset. */
export async function freshPglite(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'minergraph-bench-'));
  const database = await openDatabase({ dataDir: join(dir, 'data') });
  await prepare(database);
  return {
    label: 'PGlite',
    database,
    async destroy() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh, migrated database on the benchmark's PostgreSQL server, with the synthetic asset. */
export async function freshPostgres(): Promise<BenchDatabase> {
  const name = `minergraph_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_SERVER });
  await admin.connect();
  const { rows } = await admin.query<{ server_version: string }>('show server_version');
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_SERVER);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString() });
  await prepare(database);
  return {
    label: `PostgreSQL ${rows[0]!.server_version.split(' ')[0]}`,
    database,
    async destroy() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: POSTGRES_SERVER });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

async function prepare(database: DatabaseHandle): Promise<void> {
  await migrateToLatest(database.db);
  await insertAsset(database.db, { symbol: SYNTHETIC_SYMBOL, name: SYNTHETIC_ASSET_NAME, kind: 'CRYPTO' });
}
