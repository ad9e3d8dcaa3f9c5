import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/db/migrate.js';
import { createTestDatabase, engine, type TestDatabase } from '@minergraph/test-support';
import { runCli } from './support/process.js';

// A new user's very first command, on a data directory or database nothing has touched yet.
let dir: string;
let postgres: TestDatabase | undefined;
let env: Record<string, string | undefined>;
let location: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-first-'));
  if (engine === 'postgres') postgres = await createTestDatabase('empty');
  env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { MINERGRAPH_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
  location = engine === 'postgres' ? postgres!.location : join(dir, 'data');
});

afterAll(async () => {
  await postgres?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe(`the first command on a new ${engine} database`, () => {
  it('prepares it as serve does (migrate, seed) and then does its work: prices import as the very first command', async () => {
    const file = join(dir, 'btc.csv');
    writeFileSync(file, 'at,open,high,low,close,volume\n2031-05-01T00:00:00Z,10,12,9,11,1\n');
    const run = runCli(['prices', 'import', file, '--symbol', 'BTC'], env);
    expect(await run.exited).toBe(0);
    const count = Object.keys(migrations).length;
    expect(run.stderr()).toBe(`Prepared the database in ${location}: applied ${count} migrations, loaded the seed facts.\n`);
    expect(run.stdout()).toBe(`BTC: 1 rows from ${file} (plain CSV): 1 inserted, 0 updated, 0 unchanged.\n`);

    const again = runCli(['keys', 'list'], env);
    expect(await again.exited).toBe(0);
    expect(again.stderr()).toBe('');
  });

  it('names the mutation that creates a symbol nobody has created', async () => {
    const file = join(dir, 'xyz.csv');
    writeFileSync(file, 'at,open,high,low,close,volume\n2031-05-01T00:00:00Z,10,12,9,11,1\n');
    const run = runCli(['prices', 'import', file, '--symbol', 'XYZ'], env);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/^No asset has the symbol XYZ\. .*createAsset.*\n$/);
  });
});
