import { mkdtempSync, rmSync } from 'node:fs';
import { loadCompanyFiles } from '../src/facts/fact-file.js';
import { createTestDatabase, engine, REPOSITORY_DATA, type TestDatabase } from '@minergraph/test-support';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/connect.js';
import { query, runCli, servingUrl } from './support/process.js';

// `pnpm minergraph serve` as a user runs it: a real process, stopped with a real signal.
let dataDir: string;
let postgres: TestDatabase | undefined;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'minergraph-serve-')), 'data');
  if (engine === 'postgres') postgres = await createTestDatabase('empty');
  env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { MINERGRAPH_DATA_DIR: dataDir, DATABASE_URL: '' };
});

afterAll(async () => {
  await postgres?.destroy();
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

const COMPANIES = '{ companies(orderBy: TICKER_ASC) { totalCount edges { node { ticker name } } } }';

describe(`serve on ${engine}`, () => {
  it('migrates, seeds and answers on the first start; stops cleanly on SIGTERM', async () => {
    const first = runCli(['serve'], env);
    const url = await servingUrl(first);
    expect(await query(url, '{ company(ticker: "CANG") { name } }')).toEqual({ company: { name: 'Cango Inc.' } });
    expect(first.stdout()).toContain('"seed":"loaded"');

    if (engine === 'pglite') {
      const second = runCli(['serve'], env);
      expect(await second.exited).toBe(2);
      expect(second.stderr().trim()).toBe(
        `Another MinerGraph process (pid ${first.child.pid}, running "serve") is using the database in ${dataDir}. Wait for it to finish, or point MINERGRAPH_DATA_DIR at another directory.`,
      );
      expect(await query(url, '{ company(ticker: "CANG") { ticker } }')).toEqual({ company: { ticker: 'CANG' } });
    }

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain('stopped cleanly');
  });

  it('keeps data across restarts and never loads the seed twice', async () => {
    // A row written between the two runs, the way another tool would write it.
    const database = await openDatabase(engine === 'postgres' ? { databaseUrl: postgres!.url } : { dataDir });
    await database.db.insertInto('companies').values({ name: 'Between Runs Mining', ticker: 'BTWN' }).execute();
    await database.close();

    const again = runCli(['serve'], env);
    const url = await servingUrl(again);
    // The seeded companies of data/companies once, and the row written between the runs.
    const seeded = loadCompanyFiles(REPOSITORY_DATA).map((loaded) => ({ ticker: loaded.file!.ticker, name: loaded.file!.name }));
    const expected = [...seeded, { ticker: 'BTWN', name: 'Between Runs Mining' }].sort((a, b) => (a.ticker < b.ticker ? -1 : 1));
    expect(await query(url, COMPANIES)).toEqual({
      companies: { totalCount: seeded.length + 1, edges: expected.map((node) => ({ node })) },
    });
    expect(again.stdout()).toContain('"seed":"already-loaded"');
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    const run = runCli(['serve'], { ...env, PORT: 'forty' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('PORT="forty"');
  });
});
