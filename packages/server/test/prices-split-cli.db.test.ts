import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { insertAsset } from '../src/repositories/asset.repository.js';
import { createTestDatabase, engine, preparePgliteDataDir, type TestDatabase } from '@minergraph/test-support';
import { runCli } from './support/process.js';

// `pnpm minergraph prices split` as a user runs it, against the process's own database.
let postgres: TestDatabase | undefined;
let dataDir: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'minergraph-split-cli-')), 'data');
  if (engine === 'postgres') postgres = await createTestDatabase('seeded');
  else await preparePgliteDataDir(dataDir);
  env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { DATABASE_URL: '', MINERGRAPH_DATA_DIR: dataDir };
  await withDatabase((database) => insertAsset(database.db, { symbol: 'SPLT', name: 'Split Mining Corp.', kind: 'EQUITY' }));
});

afterAll(async () => {
  await postgres?.destroy();
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

async function withDatabase<T>(work: (database: DatabaseHandle) => Promise<T>): Promise<T> {
  if (postgres) return work(postgres);
  const database = await openDatabase({ dataDir });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

describe(`pnpm minergraph prices split on ${engine}`, () => {
  it("runs the README's example as written: Cango's ADS conversion, which the seed holds, is recorded already", async () => {
    const run = runCli(
      ['prices', 'split', 'CANG', '--on', '2025-11-17', '--ratio', '2', '--description', 'Each ADS became 2 Class A shares'],
      env,
    );
    expect([await run.exited, run.stdout()]).toEqual([
      0,
      'CANG: the ratio change of 2025-11-17 (2 new units per old unit) is recorded already; nothing changed.\n',
    ]);
  });

  it('records a ratio change with its source, and refuses a second one on the same day naming the problem', async () => {
    const recorded = runCli(
      [
        'prices',
        'split',
        'splt',
        '--on',
        '2025-06-02',
        '--ratio',
        '0.1',
        '--description',
        'A 1-for-10 reverse split',
        '--source-title',
        'Split Mining 8-K',
        '--source-url',
        'https://example.com/8-k',
      ],
      env,
    );
    expect(await recorded.exited).toBe(0);
    expect(recorded.stdout()).toBe('SPLT: from 2025-06-02 each old unit is 0.1 new units (A 1-for-10 reverse split).\n');

    const again = runCli(['prices', 'split', 'SPLT', '--on', '2025-06-02', '--ratio', '2', '--description', 'again'], env);
    expect(await again.exited).toBe(2);
    expect(again.stderr()).toBe('ALREADY_EXISTS: SPLT already has a ratio change on 2025-06-02.\n');

    const actions = await withDatabase((database) =>
      database.db
        .selectFrom('corporate_actions as c')
        .innerJoin('assets as a', 'a.id', 'c.asset_id')
        .leftJoin('sources as s', 's.id', 'c.source_id')
        .select(['c.effective_on', 'c.ratio', 'c.description', 's.title', 's.url'])
        .where('a.symbol', '=', 'SPLT')
        .execute(),
    );
    expect(actions).toEqual([
      {
        effective_on: '2025-06-02',
        ratio: '0.1',
        description: 'A 1-for-10 reverse split',
        title: 'Split Mining 8-K',
        url: 'https://example.com/8-k',
      },
    ]);
  });

  it('refuses a day that does not exist and a ratio with an exponent before touching the database', async () => {
    const run = runCli(['prices', 'split', 'SPLT', '--on', '2025-02-30', '--ratio', '2', '--description', 'x'], env);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe('--on: 2025-02-30 is not a day that exists.\n');

    const ratio = runCli(['prices', 'split', 'SPLT', '--on', '2025-02-03', '--ratio', '1e1', '--description', 'x'], env);
    expect(await ratio.exited).toBe(2);
    expect(ratio.stderr()).toContain('--ratio: "1e1" is not a plain decimal');
  });
});
