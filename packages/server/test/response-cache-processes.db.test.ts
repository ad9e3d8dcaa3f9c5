import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engine, type TestDatabase } from '@minergraph/test-support';
import { query, runCli, servingUrl, type CliRun } from './support/process.js';

// The response cache as `pnpm minergraph serve` runs it (on by default), with writes from
// elsewhere: the CLI beside the server, and on PostgreSQL another server process.
let dir: string;
let postgres: TestDatabase | undefined;
let env: Record<string, string | undefined>;
const servers: CliRun[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-cache-'));
  if (engine === 'postgres') postgres = await createTestDatabase('empty');
  env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { MINERGRAPH_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
});

afterAll(async () => {
  for (const server of servers) server.child.kill('SIGTERM');
  await Promise.all(servers.map((server) => server.exited));
  await postgres?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(extra: Record<string, string> = {}): Promise<{ url: string; run: CliRun }> {
  const run = runCli(['serve'], { ...env, ...extra });
  servers.push(run);
  return { url: await servingUrl(run), run };
}

async function stop(run: CliRun) {
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
}

async function cli(...args: string[]) {
  const run = runCli(args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The response cache's hits and misses so far, from GET /metrics; null when it has none. */
async function lookups(url: string): Promise<{ hit: number; miss: number } | null> {
  const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
  if (!text.includes('minergraph_response_cache_lookups_total')) return null;
  const value = (outcome: string) =>
    Number(new RegExp(`^minergraph_response_cache_lookups_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { hit: value('hit'), miss: value('miss') };
}

const LATEST = '{ asset(symbol: "BTC") { latestPrice { at priceUsd } } }';
const COUNT = '{ company(ticker: "CANG") { treasuryTransactions(first: 1) { totalCount } } }';

describe(`the response cache of serve on ${engine}`, () => {
  it('gives the new answer at once after a prices import from the CLI beside the server, which wrote through it', async () => {
    const { url, run } = await serve();
    const before = await query(url, LATEST);
    expect(await query(url, LATEST)).toEqual(before);
    expect(await lookups(url)).toEqual({ hit: 1, miss: 1 });
    for (let day = 1; day <= 3; day += 1) {
      const file = join(dir, `btc-${day}.csv`);
      writeFileSync(file, `at,open,high,low,close,volume\n2040-01-0${day}T00:00:00Z,1,9,0.5,${day}.5,10\n`);
      const imported = await cli('prices', 'import', file, '--symbol', 'BTC');
      expect([imported.code, imported.stderr]).toEqual([0, '']);
      expect(await query(url, LATEST)).toEqual({ asset: { latestPrice: { at: `2040-01-0${day}T00:00:00.000Z`, priceUsd: `${day}.5` } } });
      expect(await query(url, LATEST)).toEqual({ asset: { latestPrice: { at: `2040-01-0${day}T00:00:00.000Z`, priceUsd: `${day}.5` } } });
    }
    expect(await lookups(url)).toEqual({ hit: 4, miss: 4 });
    await stop(run);
  });

  it('is off with MINERGRAPH_RESPONSE_CACHE=false: every read runs, and the metrics have no cache', async () => {
    const { url, run } = await serve({ MINERGRAPH_RESPONSE_CACHE: 'false' });
    expect(await query(url, LATEST)).toEqual({ asset: { latestPrice: { at: '2040-01-03T00:00:00.000Z', priceUsd: '3.5' } } });
    expect(await query(url, LATEST)).toEqual({ asset: { latestPrice: { at: '2040-01-03T00:00:00.000Z', priceUsd: '3.5' } } });
    expect(await lookups(url)).toBeNull();
    await stop(run);
  });

  it.skipIf(engine !== 'postgres')(
    'never gives an answer older than a write through another server process on the same database',
    async () => {
      const [a, b] = await Promise.all([serve(), serve()]);
      const key = (await cli('keys', 'create', '--role', 'editor', '--name', 'two-processes')).stdout.trim();
      const count = async () =>
        (await query<{ company: { treasuryTransactions: { totalCount: number } } }>(b.url, COUNT)).company.treasuryTransactions.totalCount;
      const first = await count();
      for (let i = 1; i <= 10; i += 1) {
        // B holds the answer before the write...
        expect(await count()).toBe(first + i - 1);
        const response = await fetch(a.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({
            query: `mutation { recordTreasuryTransaction(input: { ticker: "CANG", kind: MINED, btc: "0.25", occurredOn: "2026-02-0${(i % 9) + 1}", source: { title: "A test write", url: "https://example.com/test" } }) { userErrors { code } } }`,
          }),
        });
        expect(await response.json()).toEqual({ data: { recordTreasuryTransaction: { userErrors: [] } } });
        // ...and once A has answered, B never gives it again.
        expect(await count()).toBe(first + i);
      }
      expect(await lookups(b.url)).toEqual({ hit: 10, miss: 11 });
      await Promise.all([stop(a.run), stop(b.run)]);
    },
  );
});
