import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '@minergraph/server/db/connect';
import { migrateToLatest } from '@minergraph/server/db/migrate';
import { seed } from '@minergraph/server/seed/seed';
import { foundingStoryData } from './founding-data.js';
import { postgresUrl, templateName } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite data directories (gzip tarballs) that test databases start from. */
    pgliteMigratedTarball: string;
    pgliteSeededTarball: string;
    /** PostgreSQL template databases that test databases are cloned from. */
    postgresMigratedTemplate: string;
    postgresSeededTemplate: string;
  }
}

/**
 * Prepares, once per run, the databases every test file starts from: migrating and seeding
 * once is much cheaper than in every file, and a copy per file keeps the files isolated.
 */
export default async function setup(project: TestProject) {
  project.provide('pgliteMigratedTarball', '');
  project.provide('pgliteSeededTarball', '');
  project.provide('postgresMigratedTemplate', '');
  project.provide('postgresSeededTemplate', '');
  return project.config.env?.MINERGRAPH_TEST_ENGINE === 'postgres' ? setupPostgres(project) : setupPglite(project);
}

async function setupPglite(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'minergraph-test-'));
  for (const seeded of [false, true]) {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    if (seeded) await seed(database.db, { dataDir: foundingStoryData() });
    const tarball = await database.pglite!.dumpDataDir('gzip');
    await database.close();
    const path = join(dir, seeded ? 'seeded.tar.gz' : 'migrated.tar.gz');
    writeFileSync(path, Buffer.from(await tarball.arrayBuffer()));
    project.provide(seeded ? 'pgliteSeededTarball' : 'pgliteMigratedTarball', path);
  }
  return () => rmSync(dir, { recursive: true, force: true });
}

async function setupPostgres(project: TestProject) {
  const admin = new pg.Client({ connectionString: postgresUrl() });
  await admin.connect();
  const templates = { migrated: templateName('migrated'), seeded: templateName('seeded') };
  for (const [kind, name] of Object.entries(templates)) {
    await dropDatabase(admin, name);
    await admin.query(`create database ${name}`);
    const database = await openDatabase({ databaseUrl: postgresUrl(name) });
    await migrateToLatest(database.db);
    if (kind === 'seeded') await seed(database.db, { dataDir: foundingStoryData() });
    await database.close();
    await admin.query(`alter database ${name} with is_template true`);
  }
  project.provide('postgresMigratedTemplate', templates.migrated);
  project.provide('postgresSeededTemplate', templates.seeded);
  return async () => {
    for (const name of Object.values(templates)) await dropDatabase(admin, name);
    await admin.end();
  };
}

async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`update pg_database set datistemplate = false where datname = $1`, [name]);
  await admin.query(`drop database if exists ${name} with (force)`);
}
