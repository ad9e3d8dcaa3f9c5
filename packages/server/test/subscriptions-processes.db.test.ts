import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanyChangedDocument, createClient as createSdkClient } from '../../sdk/src/subscriptions.js';
import { createTestDatabase, engine, preparePgliteDataDir, type TestDatabase } from '@minergraph/test-support';
import { query, runCli, servingUrl, type CliRun } from './support/process.js';
import { subscribe, wsClient } from './support/subscriber.js';
import { tcpProxy } from './support/tcp-proxy.js';

// Subscriptions as `pnpm minergraph serve` runs them: writes from another server process on
// the same PostgreSQL database, or from the CLI beside the server, reach every subscriber.
let dir: string;
let postgres: TestDatabase | undefined;
let env: Record<string, string | undefined>;
const servers: CliRun[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-subscriptions-'));
  if (engine === 'postgres') postgres = await createTestDatabase('seeded');
  else await preparePgliteDataDir(join(dir, 'data'));
  env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { MINERGRAPH_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
});

afterAll(async () => {
  for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGTERM');
  await Promise.all(servers.map((server) => server.exited));
  await postgres?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(extra: Record<string, string> = {}): Promise<{ url: string; run: CliRun }> {
  const run = runCli(['serve'], { ...env, MINERGRAPH_RATE_LIMIT_PER_ADDRESS: '0', MINERGRAPH_MAX_CONCURRENT_PER_CLIENT: '0', ...extra });
  servers.push(run);
  return { url: await servingUrl(run), run };
}

async function cli(...args: string[]) {
  const run = runCli(args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

async function post(url: string, source: string, key?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query: source }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

const PRICES = 'subscription { pricesRecorded(symbol: "BTC") { symbol inserted updated from to } }';
const COMPANY = 'subscription { companyChanged(ticker: "CANG") { ticker record company { holdings { btc } } } }';
const HOLDINGS = '{ company(ticker: "CANG") { holdings { btc } } }';
const mined = (btc: string) =>
  `mutation { recordTreasuryTransaction(input: { ticker: "CANG", kind: MINED, btc: "${btc}", occurredOn: "${new Date().toISOString().slice(0, 10)}", source: { title: "A test write", url: "https://example.com/test" } }) { userErrors { code } } }`;

/** Waits until the server process at `url` has `count` subscriptions listening for changes (its /metrics say). */
async function listening(url: string, count: number) {
  let seen = -1;
  for (let waited = 0; waited < 30_000; waited += 100) {
    const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
    seen = Number(/^minergraph_subscriptions (\d+)$/m.exec(text)?.[1] ?? -1);
    if (seen === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(seen).toBe(count);
}

describe(`subscriptions of serve processes on ${engine}`, () => {
  it('a prices import from the CLI beside the server reaches its subscribers', async () => {
    const { url, run } = await serve();
    const client = wsClient(url);
    const events = subscribe(client, PRICES);
    await listening(url, 1);
    const file = join(dir, 'btc-import.csv');
    writeFileSync(file, 'at,open,high,low,close,volume\n2041-01-01T00:00:00Z,1,9,0.5,4.5,10\n2041-01-02T00:00:00Z,1,9,0.5,5.5,10\n');
    const imported = await cli('prices', 'import', file, '--symbol', 'BTC');
    expect([imported.code, imported.stderr]).toEqual([0, '']);
    expect(await events.next()).toEqual({ data: { pricesRecorded: { symbol: 'BTC', inserted: 2, updated: 0, from: null, to: null } } });
    await client.dispose();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it.skipIf(engine !== 'postgres')(
    'a write through one server process reaches subscribers of another (mutation and CLI import)',
    async () => {
      const [a, b] = await Promise.all([serve(), serve()]);
      const key = (await cli('keys', 'create', '--role', 'editor', '--name', 'fan-out')).stdout.trim();
      const client = wsClient(b.url);
      const company = subscribe(client, COMPANY);
      const prices = subscribe(client, PRICES);
      await listening(b.url, 2);
      expect(await post(a.url, mined('0.125'), key)).toEqual({ data: { recordTreasuryTransaction: { userErrors: [] } } });
      const holdings = (await query(a.url, HOLDINGS)).company.holdings.btc;
      expect(await company.next()).toEqual({
        data: { companyChanged: { ticker: 'CANG', record: 'TREASURY_TRANSACTION', company: { holdings: { btc: holdings } } } },
      });
      const file = join(dir, 'btc-fan-out.csv');
      writeFileSync(file, 'at,open,high,low,close,volume\n2042-01-01T00:00:00Z,1,9,0.5,4.5,10\n');
      expect((await cli('prices', 'import', file, '--symbol', 'BTC')).code).toBe(0);
      expect(await prices.next()).toEqual({ data: { pricesRecorded: { symbol: 'BTC', inserted: 1, updated: 0, from: null, to: null } } });
      await client.dispose();
      for (const { run } of [a, b]) run.child.kill('SIGTERM');
      expect(await Promise.all([a.run.exited, b.run.exited])).toEqual([0, 0]);
    },
  );

  it.skipIf(engine !== 'postgres')(
    'kill -9 of one of two processes under load: clients of the other see no error; its subscribers reconnect (SDK) and re-read what they missed',
    async () => {
      const [a, b] = await Promise.all([serve(), serve()]);
      const key = (await cli('keys', 'create', '--role', 'editor', '--name', 'kill-9')).stdout.trim();
      const port = (url: string) => Number(new URL(url).port);
      // Connections go to B while it lives, then to A: a load balancer's view.
      const proxy = await tcpProxy([
        { host: '127.0.0.1', port: port(b.url) },
        { host: '127.0.0.1', port: port(a.url) },
      ]);
      const proxied = `http://127.0.0.1:${proxy.port}/graphql`;

      // Load on A: readers over HTTP and a subscriber, all counting errors.
      let reads = 0;
      const errors: unknown[] = [];
      let loading = true;
      const readers = Array.from({ length: 8 }, async () => {
        while (loading) {
          try {
            const body = await post(a.url, HOLDINGS);
            if (body.errors) errors.push(body.errors);
            else reads += 1;
          } catch (error) {
            errors.push(error);
          }
        }
      });
      const onA = wsClient(a.url);
      const aEvents = subscribe(onA, COMPANY);

      // The SDK's subscriber, through the proxy, on B.
      let reconnected = 0;
      const sdk = createSdkClient({ url: proxied, apiKey: key, webSocket: WebSocket, onReconnected: () => (reconnected += 1) });
      const sdkEvents = sdk.subscribe(CompanyChangedDocument, { ticker: 'CANG' });
      const firstSdkEvent = sdkEvents.next();
      await listening(a.url, 1);
      await listening(b.url, 1);

      expect(await post(a.url, mined('0.01'), key)).toEqual({ data: { recordTreasuryTransaction: { userErrors: [] } } });
      expect((await firstSdkEvent).value.companyChanged.record).toBe('TREASURY_TRANSACTION');
      expect((await aEvents.next()).data.companyChanged.record).toBe('TREASURY_TRANSACTION');

      b.run.child.kill('SIGKILL');
      expect(await b.run.exited).toBe(null);
      // Written while the SDK's subscriber has no connection: no event reaches it, so it re-reads.
      expect(await post(a.url, mined('0.02'), key)).toEqual({ data: { recordTreasuryTransaction: { userErrors: [] } } });
      const afterOutage = (await query(a.url, HOLDINGS)).company.holdings.btc;
      expect((await aEvents.next()).data.companyChanged.company.holdings.btc).toBe(afterOutage);

      const nextSdkEvent = sdkEvents.next();
      for (let waited = 0; reconnected === 0 && waited < 30_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(reconnected).toBe(1);
      // The re-read, through the proxy (now A), shows the write it missed.
      const { company } = await sdk.request<{ company: { holdings: { btc: string } } }>(HOLDINGS);
      expect(company.holdings.btc).toBe(afterOutage);
      // And events flow again.
      await listening(a.url, 2);
      expect(await post(a.url, mined('0.03'), key)).toEqual({ data: { recordTreasuryTransaction: { userErrors: [] } } });
      const latest = (await query(a.url, HOLDINGS)).company.holdings.btc;
      expect((await nextSdkEvent).value.companyChanged.company.holdings.btc).toBe(latest);

      loading = false;
      await Promise.all(readers);
      expect(errors).toEqual([]);
      expect(reads).toBeGreaterThan(0);
      await sdk.close();
      await onA.dispose();
      await proxy.close();
      a.run.child.kill('SIGTERM');
      expect(await a.run.exited).toBe(0);
    },
    120_000,
  );
});
