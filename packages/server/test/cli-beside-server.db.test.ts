import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engine, type TestDatabase } from '@minergraph/test-support';
import { query, runCli, servingUrl, type CliRun } from './support/process.js';

// The README's first hour, on the default set-up: the server runs, and every command of the
// CLI works beside it on the same database, its effect visible to the server at once.
let dir: string;
let postgres: TestDatabase | undefined;
let env: Record<string, string | undefined>;
let server: CliRun;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-beside-'));
  if (engine === 'postgres') postgres = await createTestDatabase('empty');
  env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { MINERGRAPH_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
  server = runCli(['serve'], env);
  url = await servingUrl(server);
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await postgres?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const run = runCli(args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

async function post(source: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: source }),
  });
  return (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
}

describe(`the CLI beside a running server on ${engine}`, () => {
  it('creates a key that the running server accepts at once, without a restart', async () => {
    const created = await cli('keys', 'create', '--role', 'editor', '--name', 'beside-bot');
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^mg_[A-Za-z0-9_-]{32}$/);

    const mutation =
      'mutation { createAsset(input: { symbol: "ETH", name: "Ether", kind: CRYPTO }) { asset { symbol name } userErrors { code } } }';
    expect((await post(mutation)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await post(mutation, { authorization: `Bearer ${key}` })).toEqual({
      data: { createAsset: { asset: { symbol: 'ETH', name: 'Ether' }, userErrors: [] } },
    });
  });

  it('imports a CSV that the next query shows', async () => {
    const file = join(dir, 'btc.csv');
    writeFileSync(file, 'at,open,high,low,close,volume\n2030-01-02T00:00:00Z,1,3,0.5,2,10\n2030-01-03T00:00:00Z,2,4,1.5,3.25,11\n');
    const imported = await cli('prices', 'import', file, '--symbol', 'BTC');
    expect([imported.code, imported.stdout.trim()]).toEqual([
      0,
      `BTC: 2 rows from ${file} (plain CSV): 2 inserted, 0 updated, 0 unchanged.`,
    ]);
    expect(await query(url, '{ asset(symbol: "BTC") { priceAt(at: "2030-01-03T00:00:00Z") { priceUsd } } }')).toEqual({
      asset: { priceAt: { priceUsd: '3.25' } },
    });
  });

  it('lists and revokes keys, and a revoked key is refused by the running server; its name can be given again', async () => {
    const created = await cli('keys', 'create', '--role', 'editor', '--name', 'short-lived');
    const key = created.stdout.trim();
    expect((await cli('keys', 'list')).stdout).toMatch(/^short-lived\teditor\tcreated \S+\tactive$/m);
    expect(await cli('keys', 'revoke', 'short-lived')).toEqual({ code: 0, stdout: 'Revoked "short-lived".\n', stderr: '' });
    const refused = await post('mutation { createAsset(input: { symbol: "SOL", name: "Solana", kind: CRYPTO }) { asset { symbol } } }', {
      authorization: `Bearer ${key}`,
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const again = await cli('keys', 'create', '--role', 'reader', '--name', 'short-lived');
    expect(again.code).toBe(0);
    expect((await cli('keys', 'list')).stdout.split('\n').filter((line) => line.startsWith('short-lived\t'))).toEqual([
      expect.stringMatching(/^short-lived\teditor\tcreated \S+\trevoked \S+$/),
      expect.stringMatching(/^short-lived\treader\tcreated \S+\tactive$/),
    ]);
  });

  it('migrates and seeds as no-ops, and refuses to undo the migrations without --yes or while the server runs', async () => {
    expect(await cli('migrate')).toEqual({ code: 0, stdout: 'Nothing to do: the database is up to date.\n', stderr: '' });
    expect(await cli('seed')).toEqual({ code: 0, stdout: 'The seed facts are already loaded; nothing changed.\n', stderr: '' });
    expect(await cli('migrate', '--down-all')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'migrate --down-all drops every MinerGraph table and all its data. Run it again with --yes to confirm.\n',
    });
    if (engine === 'pglite') {
      expect(await cli('migrate', '--down-all', '--yes')).toEqual({
        code: 2,
        stdout: '',
        stderr: `A running MinerGraph server uses the database in ${env.MINERGRAPH_DATA_DIR}. Stop it before migrate --down-all.\n`,
      });
    }
    expect(await query(url, '{ company(ticker: "CANG") { ticker } }')).toEqual({ company: { ticker: 'CANG' } });
  });

  it.runIf(engine === 'pglite')('serves the embedded database to other processes only on a socket this user alone may open', () => {
    const socketDir = `${env.MINERGRAPH_DATA_DIR}.socket`;
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(socketDir, '.s.PGSQL.5432')).isSocket()).toBe(true);
  });
});
