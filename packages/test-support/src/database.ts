import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LogEvent } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle, type Engine } from '@minergraph/server/db/connect';
import { postgresUrl } from './postgres.js';

export type Start = 'empty' | 'migrated' | 'seeded';

export interface TestDatabase extends DatabaseHandle {
  /** A DATABASE_URL for this database (PostgreSQL only), for processes started by the test. */
  url: string | undefined;
  /** How many SQL statements `work` ran. */
  countStatements(work: () => Promise<unknown>): Promise<number>;
  /** The SQL text of each statement `work` ran, in order (absent on the few handles tests build by hand). */
  statementsOf?(work: () => Promise<unknown>): Promise<string[]>;
  /** Closes and, on PostgreSQL, drops the database. */
  destroy(): Promise<void>;
}

export const engine: Engine = process.env.MINERGRAPH_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

/**
 * One database for one test file: a PGlite started from a prepared data directory, or a
 * PostgreSQL database cloned from a prepared template, so files never see each other's rows.
 */
export async function createTestDatabase(start: Start = 'seeded'): Promise<TestDatabase> {
  let recording: string[] | null = null;
  const onQuery = (event: LogEvent) => {
    recording?.push(event.query.sql);
  };
  const statementsOf = async (work: () => Promise<unknown>) => {
    const statements: string[] = [];
    recording = statements;
    try {
      await work();
    } finally {
      recording = null;
    }
    return statements;
  };
  const countStatements = async (work: () => Promise<unknown>) => (await statementsOf(work)).length;

  if (engine === 'pglite') {
    const tarball = start === 'empty' ? undefined : inject(start === 'seeded' ? 'pgliteSeededTarball' : 'pgliteMigratedTarball');
    const handle = await openDatabase({
      dataDir: 'memory://',
      onQuery,
      ...(tarball ? { loadDataDir: new Blob([readFileSync(tarball)]) } : {}),
    });
    return { ...handle, url: undefined, countStatements, statementsOf, destroy: () => handle.close() };
  }

  const name = `minergraph_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl() });
  await admin.connect();
  try {
    const template = start === 'empty' ? 'template0' : inject(start === 'seeded' ? 'postgresSeededTemplate' : 'postgresMigratedTemplate');
    await admin.query(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = postgresUrl(name);
  const handle = await openDatabase({ databaseUrl: url, onQuery });
  return {
    ...handle,
    url,
    countStatements,
    statementsOf,
    destroy: async () => {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: postgresUrl() });
      await cleanup.connect();
      // pool.end() returns once the goodbyes are sent, not when the server has let go; a
      // forced drop before then kills connections mid-close and they surface as errors.
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const { rows } = await cleanup.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (rows[0]!.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * A PGlite data directory on disk, started from the prepared tarball, for a process the test
 * starts (`runCli` with MINERGRAPH_DATA_DIR): much faster than letting the process run initdb.
 */
export async function preparePgliteDataDir(dataDir: string, start: Exclude<Start, 'empty'> = 'seeded'): Promise<void> {
  const tarball = inject(start === 'seeded' ? 'pgliteSeededTarball' : 'pgliteMigratedTarball');
  const handle = await openDatabase({ dataDir, loadDataDir: new Blob([readFileSync(tarball)]) });
  await handle.close();
}
