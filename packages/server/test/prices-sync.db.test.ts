import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCoinGeckoClient, retryAfterMs, type CoinGeckoClientOptions } from '../src/prices/coingecko.js';
import { planWindows, syncFromCoinGecko } from '../src/prices/sync.js';
import { insertAsset } from '../src/repositories/asset.repository.js';
import { createTestDatabase, engine, preparePgliteDataDir, type TestDatabase } from '@minergraph/test-support';
import { runCli } from './support/process.js';

// A stand-in for CoinGecko on 127.0.0.1: it answers market_chart/range in CoinGecko's
// documented shape from a fixed series, and each test scripts its failures.

interface RecordedRequest {
  coinId: string;
  from: number;
  to: number;
  headers: IncomingHttpHeaders;
}

type Scripted = { status: number; headers?: Record<string, string>; body: string };

/** [milliseconds, price as CoinGecko writes it (a JSON number)] */
type SeriesPoint = [number, string];

const at = (iso: string) => Date.parse(iso);
const unix = (iso: string) => Date.parse(iso) / 1000;

let fake: { url: string; server: Server };
let requests: RecordedRequest[];
let script: (Scripted | null)[];
let series: SeriesPoint[];
let database: TestDatabase;
let sleeps: number[];

beforeAll(async () => {
  database = await createTestDatabase('seeded');
  const server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://fake');
    const match = /^\/api\/v3\/coins\/([^/]+)\/market_chart\/range$/.exec(url.pathname);
    if (!match || url.searchParams.get('vs_currency') !== 'usd') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"coin not found"}');
      return;
    }
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    requests.push({ coinId: match[1]!, from, to, headers: request.headers });
    const scripted = script.shift();
    if (scripted) {
      response.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers }).end(scripted.body);
      return;
    }
    const inRange = series.filter(([ms]) => ms >= from * 1000 && ms <= to * 1000);
    const pairs = (values: (p: SeriesPoint) => string) => `[${inRange.map((p) => `[${p[0]},${values(p)}]`).join(',')}]`;
    // Market caps and volumes are there as in CoinGecko's answers; the sync reads prices only.
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(`{"prices":${pairs((p) => p[1])},"market_caps":${pairs(() => '1.5e12')},"total_volumes":${pairs(() => '35000000000.5')}}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`, server };
});

afterAll(async () => {
  await new Promise((resolve) => fake.server.close(resolve));
  await database.destroy();
});

beforeEach(() => {
  requests = [];
  script = [];
  series = [];
  sleeps = [];
});

function client(options: Partial<CoinGeckoClientOptions> = {}) {
  return createCoinGeckoClient({
    baseUrl: fake.url,
    apiKey: 'CG-test-key',
    plan: 'demo',
    retry: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 2_000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
}

async function stored(symbol: string) {
  const { rows } = await sql<{
    at: Date;
    open: string;
    high: string;
    low: string;
    close: string;
    volume: string | null;
    source: string | null;
  }>`
    select o.at, o.open::text, o.high::text, o.low::text, o.close::text, o.volume::text, s.title as source
    from price_observations o join assets a on a.id = o.asset_id left join sources s on s.id = o.source_id
    where a.symbol = ${symbol} order by o.at`.execute(database.db);
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}

async function progress(symbol: string): Promise<unknown> {
  const row = await database.db.selectFrom('meta').select('value').where('key', '=', `coingecko-sync:${symbol}`).executeTakeFirst();
  return row ? JSON.parse(row.value) : null;
}

/** One CoinGecko price stored as a single quote: open = high = low = close, no volume. */
const quote = (iso: string, price: string, coinId: string) => ({
  at: iso,
  open: price,
  high: price,
  low: price,
  close: price,
  volume: null,
  source: `CoinGecko market chart of ${coinId} in USD`,
});

const requested = () => requests.map((r) => ({ from: r.from, to: r.to }));

describe(`prices sync from CoinGecko on ${engine}`, () => {
  it("fetches the range in 90-day windows with the key in CoinGecko's header, waits as a 429's Retry-After asks, and stores each price exactly", async () => {
    await insertAsset(database.db, { symbol: 'CGA', name: 'Synced A', kind: 'CRYPTO' });
    series = [
      [at('2025-01-01T00:00:41.331Z'), '94419.7630135'],
      [at('2025-02-15T12:00:00.000Z'), '97000.12345678901234'],
      [at('2025-04-01T00:00:00.000Z'), '82548.91'],
      [at('2025-05-31T23:00:00.000Z'), '1.04e5'],
      [at('2025-06-01T00:00:00.000Z'), '104638.09'],
      [at('2025-06-02T00:00:00.000Z'), '105000'],
    ];
    script = [
      {
        status: 429,
        headers: { 'retry-after': '1' },
        body: '{"status":{"error_code":429,"error_message":"You\'ve exceeded the Rate Limit."}}',
      },
    ];

    const summary = await syncFromCoinGecko(database, {
      symbol: 'cga',
      coinId: 'bitcoin',
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-06-01T00:00:00Z'),
      client: client(),
    });

    expect(requested()).toEqual([
      { from: unix('2025-01-01T00:00:00Z'), to: unix('2025-04-01T00:00:00Z') },
      { from: unix('2025-01-01T00:00:00Z'), to: unix('2025-04-01T00:00:00Z') },
      { from: unix('2025-04-01T00:00:00Z'), to: unix('2025-06-01T00:00:00Z') },
    ]);
    expect(sleeps).toEqual([1_000]);
    expect(requests.map((r) => [r.coinId, r.headers['x-cg-demo-api-key']])).toEqual([
      ['bitcoin', 'CG-test-key'],
      ['bitcoin', 'CG-test-key'],
      ['bitcoin', 'CG-test-key'],
    ]);
    expect(summary.windows.map((w) => [w.points, w.inserted, w.updated, w.unchanged])).toEqual([
      [3, 3, 0, 0],
      [3, 2, 0, 1], // 2025-04-01 ends one window and starts the next: stored once, then unchanged
    ]);
    expect(await stored('CGA')).toEqual([
      quote('2025-01-01T00:00:41.331Z', '94419.7630135', 'bitcoin'),
      quote('2025-02-15T12:00:00.000Z', '97000.12345678901234', 'bitcoin'),
      quote('2025-04-01T00:00:00.000Z', '82548.91', 'bitcoin'),
      quote('2025-05-31T23:00:00.000Z', '104000', 'bitcoin'),
      quote('2025-06-01T00:00:00.000Z', '104638.09', 'bitcoin'),
    ]);
    expect(await progress('CGA')).toEqual({ coinId: 'bitcoin', from: '2025-01-01T00:00:00.000Z', through: '2025-06-01T00:00:00.000Z' });
  });

  it('a malformed answer stops the sync naming its window; the next run continues from the last window completed', async () => {
    await insertAsset(database.db, { symbol: 'CGB', name: 'Synced B', kind: 'CRYPTO' });
    series = [
      [at('2024-01-10T00:00:00Z'), '46000.5'],
      [at('2024-04-10T00:00:00Z'), '69000.25'],
      [at('2024-07-10T00:00:00Z'), '57000.75'],
    ];
    const range = { symbol: 'CGB', coinId: 'test-coin', from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-09-01T00:00:00Z') };
    script = [null, { status: 200, body: '{"prices":[[1711843200000,"not a number"]]}' }];

    const failed = syncFromCoinGecko(database, { ...range, client: client() });

    await expect(failed).rejects.toThrow(
      `CoinGecko's answer for test-coin 2024-03-31T00:00:00.000Z → 2024-06-29T00:00:00.000Z is malformed: prices[0] is not [milliseconds, price]. It began: {"prices":[[1711843200000,"not a number"]]}`,
    );
    expect(requested()).toEqual([
      { from: unix('2024-01-01T00:00:00Z'), to: unix('2024-03-31T00:00:00Z') },
      { from: unix('2024-03-31T00:00:00Z'), to: unix('2024-06-29T00:00:00Z') },
    ]);
    expect(await stored('CGB')).toEqual([quote('2024-01-10T00:00:00.000Z', '46000.5', 'test-coin')]);
    expect(await progress('CGB')).toEqual({ coinId: 'test-coin', from: '2024-01-01T00:00:00.000Z', through: '2024-03-31T00:00:00.000Z' });

    requests = [];
    const resumed = await syncFromCoinGecko(database, { ...range, client: client() });

    expect(resumed.resumedFrom).toEqual(new Date('2024-03-31T00:00:00Z'));
    expect(requested()).toEqual([
      { from: unix('2024-03-31T00:00:00Z'), to: unix('2024-06-29T00:00:00Z') },
      { from: unix('2024-06-29T00:00:00Z'), to: unix('2024-09-01T00:00:00Z') },
    ]);
    expect(await stored('CGB')).toEqual([
      quote('2024-01-10T00:00:00.000Z', '46000.5', 'test-coin'),
      quote('2024-04-10T00:00:00.000Z', '69000.25', 'test-coin'),
      quote('2024-07-10T00:00:00.000Z', '57000.75', 'test-coin'),
    ]);
    expect(await progress('CGB')).toEqual({ coinId: 'test-coin', from: '2024-01-01T00:00:00.000Z', through: '2024-09-01T00:00:00.000Z' });

    requests = [];
    const again = await syncFromCoinGecko(database, { ...range, client: client() });
    expect([again.windows.length, requests.length]).toEqual([0, 0]);

    const restarted = await syncFromCoinGecko(database, { ...range, restart: true, client: client() });
    expect(requests.length).toBe(3);
    expect([restarted.inserted, restarted.updated, restarted.unchanged]).toEqual([0, 0, 3]);
  });

  it('without a start day continues the last sync of the symbol, and without one to continue asks for --from', async () => {
    await insertAsset(database.db, { symbol: 'CGR', name: 'Synced R', kind: 'CRYPTO' });
    series = [
      [at('2024-01-10T00:00:00Z'), '46000.5'],
      [at('2024-04-10T00:00:00Z'), '69000.25'],
    ];
    const to = new Date('2024-05-01T00:00:00Z');

    await expect(syncFromCoinGecko(database, { symbol: 'CGR', coinId: 'test-coin', to, client: client() })).rejects.toThrow(
      'CGR has no earlier sync from CoinGecko (test-coin) to continue: pass --from YYYY-MM-DD for the first one.',
    );
    await expect(syncFromCoinGecko(database, { symbol: 'CGR', coinId: 'test-coin', to, restart: true, client: client() })).rejects.toThrow(
      '--restart fetches the whole range again, so it needs --from.',
    );
    expect(requests).toEqual([]);

    await syncFromCoinGecko(database, {
      symbol: 'CGR',
      coinId: 'test-coin',
      from: new Date('2024-01-01T00:00:00Z'),
      to: new Date('2024-02-01T00:00:00Z'),
      client: client(),
    });
    requests = [];
    const resumed = await syncFromCoinGecko(database, { symbol: 'CGR', coinId: 'test-coin', to, client: client() });

    expect(resumed.resumedFrom).toEqual(new Date('2024-02-01T00:00:00Z'));
    expect(requested()).toEqual([{ from: unix('2024-02-01T00:00:00Z'), to: unix('2024-05-01T00:00:00Z') }]);
    expect(await stored('CGR')).toEqual([
      quote('2024-01-10T00:00:00.000Z', '46000.5', 'test-coin'),
      quote('2024-04-10T00:00:00.000Z', '69000.25', 'test-coin'),
    ]);
    expect(await progress('CGR')).toEqual({ coinId: 'test-coin', from: '2024-01-01T00:00:00.000Z', through: '2024-05-01T00:00:00.000Z' });
    // Another coin's progress is not this sync's to continue.
    await expect(syncFromCoinGecko(database, { symbol: 'CGR', coinId: 'other-coin', to, client: client() })).rejects.toThrow(
      'CGR has no earlier sync from CoinGecko (other-coin) to continue',
    );
  });

  it("refuses a price CoinGecko answers that cannot be stored, naming it as CoinGecko's price", async () => {
    await insertAsset(database.db, { symbol: 'CGN', name: 'Synced N', kind: 'CRYPTO' });
    script = [{ status: 200, body: '{"prices":[[1704153600000,-5]],"market_caps":[],"total_volumes":[]}' }];
    await expect(
      syncFromCoinGecko(database, {
        symbol: 'CGN',
        coinId: 'test-coin',
        from: new Date('2024-01-01T00:00:00Z'),
        to: new Date('2024-01-05T00:00:00Z'),
        client: client(),
      }),
    ).rejects.toThrow(
      "CoinGecko's answer for test-coin 2024-01-01T00:00:00.000Z → 2024-01-05T00:00:00.000Z has a price that cannot be stored at 2024-01-02T00:00:00.000Z: price must be greater than 0; it was -5.",
    );
    expect(await stored('CGN')).toEqual([]);
  });

  it('asks for a short last window over two days, so CoinGecko still answers hourly, and stores only the points inside it', async () => {
    await insertAsset(database.db, { symbol: 'CGC', name: 'Synced C', kind: 'CRYPTO' });
    series = [
      [at('2025-03-09T12:00:00Z'), '80000'],
      [at('2025-03-10T00:00:00Z'), '80100.5'],
      [at('2025-03-10T13:00:00Z'), '81000'],
    ];

    await syncFromCoinGecko(database, {
      symbol: 'CGC',
      coinId: 'bitcoin',
      from: new Date('2025-03-10T00:00:00Z'),
      to: new Date('2025-03-11T00:00:00Z'),
      client: client(),
    });

    expect(requested()).toEqual([{ from: unix('2025-03-09T00:00:00Z'), to: unix('2025-03-11T00:00:00Z') }]);
    expect((await stored('CGC')).map((row) => [row.at, row.close])).toEqual([
      ['2025-03-10T00:00:00.000Z', '80100.5'],
      ['2025-03-10T13:00:00.000Z', '81000'],
    ]);
    expect(
      planWindows(new Date('2025-01-01T00:00:00Z'), new Date('2025-12-31T00:00:00Z')).map((w) =>
        [w.start, w.end, w.requestFrom].map((d) => d.toISOString().slice(0, 10)),
      ),
    ).toEqual([
      ['2025-01-01', '2025-04-01', '2025-01-01'],
      ['2025-04-01', '2025-06-30', '2025-04-01'],
      ['2025-06-30', '2025-09-28', '2025-06-30'],
      ['2025-09-28', '2025-12-27', '2025-09-28'],
      ['2025-12-27', '2025-12-31', '2025-12-27'],
    ]);
  });

  it('backs off exponentially without a Retry-After, reads one given as an HTTP date, and gives up after the last attempt', async () => {
    script = [
      { status: 503, body: 'upstream busy' },
      { status: 503, body: 'upstream busy' },
      { status: 503, body: 'upstream busy' },
      { status: 503, body: 'upstream busy' },
    ];

    const attempt = client().marketChartRange('bitcoin', new Date('2025-01-01T00:00:00Z'), new Date('2025-01-05T00:00:00Z'));

    await expect(attempt).rejects.toThrow(
      'CoinGecko gave no usable answer for bitcoin 2025-01-01T00:00:00.000Z → 2025-01-05T00:00:00.000Z in 4 attempts (last: HTTP 503).',
    );
    expect(sleeps).toEqual([50, 100, 200]);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:30 GMT', Date.parse('2026-10-21T07:28:00Z'))).toBe(30_000);
    expect(retryAfterMs('120', 0)).toBe(120_000);
    expect(retryAfterMs('soon', 0)).toBeNull();

    sleeps = [];
    script = [{ status: 429, headers: { 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' }, body: '{}' }];
    const later = client({ now: () => Date.parse('2026-10-21T07:28:29Z') });
    expect(await later.marketChartRange('bitcoin', new Date('2025-01-01T00:00:00Z'), new Date('2025-01-05T00:00:00Z'))).toEqual([]);
    expect(sleeps).toEqual([1_000]);
  });

  it('sends a Pro key in x-cg-pro-api-key, and refuses a 401 at once with what to check', async () => {
    script = [
      { status: 401, body: '{"error":{"status":{"error_code":10012,"error_message":"Your request exceeds the allowed time range."}}}' },
    ];

    const attempt = client({ plan: 'pro', apiKey: 'CG-pro-key' }).marketChartRange(
      'bitcoin',
      new Date('2020-01-01T00:00:00Z'),
      new Date('2020-01-05T00:00:00Z'),
    );

    await expect(attempt).rejects.toThrow(
      /^CoinGecko refused bitcoin 2020-01-01T00:00:00.000Z → 2020-01-05T00:00:00.000Z: HTTP 401 .*error_code":10012.* Check COINGECKO_API_KEY/,
    );
    expect(requests.map((r) => [r.headers['x-cg-pro-api-key'], r.headers['x-cg-demo-api-key']])).toEqual([['CG-pro-key', undefined]]);
    expect(sleeps).toEqual([]);
  });

  it('pnpm minergraph prices sync reads the base URL and key from the environment and prints a summary', async () => {
    series = [
      [at('2024-06-01T00:00:00Z'), '67500.5'],
      [at('2024-06-02T00:00:00Z'), '67750.25'],
    ];
    const dataDir = join(mkdtempSync(join(tmpdir(), 'minergraph-sync-cli-')), 'data');
    const env = {
      ...(engine === 'postgres' ? { DATABASE_URL: database.url } : { DATABASE_URL: '', MINERGRAPH_DATA_DIR: dataDir }),
      COINGECKO_BASE_URL: fake.url,
      COINGECKO_API_KEY: 'CG-env-key',
    };
    try {
      if (engine === 'pglite') await preparePgliteDataDir(dataDir);

      const run = runCli(['prices', 'sync', 'BTC', '--from', '2024-06-01', '--to', '2024-06-02'], env);

      expect(await run.exited).toBe(0);
      expect(requests.map((r) => [r.coinId, r.from, r.to, r.headers['x-cg-demo-api-key']])).toEqual([
        ['bitcoin', unix('2024-06-01T00:00:00Z'), unix('2024-06-03T00:00:00Z'), 'CG-env-key'],
      ]);
      expect(run.stdout()).toBe('BTC from CoinGecko (bitcoin), 1 window: 2 inserted, 0 updated, 0 unchanged.\n');
      expect(run.stderr()).toBe('2024-06-01T00:00:00.000Z → 2024-06-03T00:00:00.000Z: 2 points (2 inserted, 0 updated, 0 unchanged)\n');
    } finally {
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });

  it('pnpm minergraph prices sync BTC, run again without --from after a failure, continues where it stopped', async () => {
    series = [
      [at('2024-01-10T00:00:00Z'), '46000.5'],
      [at('2024-04-10T00:00:00Z'), '69000.25'],
    ];
    const own = engine === 'postgres' ? await createTestDatabase('seeded') : undefined;
    const dataDir = join(mkdtempSync(join(tmpdir(), 'minergraph-sync-resume-')), 'data');
    const env = {
      ...(own ? { DATABASE_URL: own.url } : { DATABASE_URL: '', MINERGRAPH_DATA_DIR: dataDir }),
      COINGECKO_BASE_URL: fake.url,
    };
    try {
      if (engine === 'pglite') await preparePgliteDataDir(dataDir);

      const first = runCli(['prices', 'sync', 'BTC', '--to', '2024-06-02'], env);
      expect(await first.exited).toBe(2);
      expect(first.stderr()).toBe(
        'BTC has no earlier sync from CoinGecko (bitcoin) to continue: pass --from YYYY-MM-DD for the first one.\n',
      );
      expect(requests).toEqual([]);

      script = [null, { status: 200, body: '{"prices":[[1711843200000,"not a number"]]}' }];
      const failed = runCli(['prices', 'sync', 'BTC', '--from', '2024-01-01', '--to', '2024-06-02'], env);
      expect(await failed.exited).toBe(2);
      expect(failed.stderr()).toContain('run the same command again to continue.');

      requests = [];
      const resumed = runCli(['prices', 'sync', 'BTC', '--to', '2024-06-02'], env);
      expect(await resumed.exited).toBe(0);
      expect(requested()).toEqual([{ from: unix('2024-03-31T00:00:00Z'), to: unix('2024-06-03T00:00:00Z') }]);
      expect(resumed.stdout()).toBe(
        'BTC from CoinGecko (bitcoin), 1 window: 1 inserted, 0 updated, 0 unchanged. Continued from 2024-03-31T00:00:00.000Z.\n',
      );
    } finally {
      await own?.destroy();
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });
});
