import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChangeBus, type ChangeBus } from '../src/changes/bus.js';
import type { ChangeEvent } from '../src/changes/changes.js';
import { createLogger } from '../src/logger.js';
import { createMetrics, type Metrics } from '../src/http/metrics.js';
import { sha256 } from '../src/http/persisted.js';
import { seed } from '../src/seed/seed.js';
import { createTestDatabase, engine, foundingStoryData, keyHeaders, startTestServer, useTestServer } from '@minergraph/test-support';

// The response cache of a real server on a real database: a read after a write that returned
// never gets the older answer, whatever was cached; hits skip execution and are counted.
const CACHE = { maxBytes: 8 * 1024 * 1024 };
const COUNT = 'query Count { company(ticker: "CANG") { treasuryTransactions(first: 1) { totalCount } } }';
const RECORD = `mutation { recordTreasuryTransaction(input: { ticker: "CANG", kind: MINED, btc: "0.5", occurredOn: "2026-02-01", source: { title: "A test source" }, idempotencyKey: "cache-" }) { userErrors { code } } }`;

let metrics: Metrics;
let editor: Record<string, string>;

const served = useTestServer({
  server: () => {
    metrics = createMetrics();
    return { responseCache: CACHE, metrics: { metrics, open: true, token: null } };
  },
});

beforeAll(async () => {
  editor = (await keyHeaders(served.database, 'editor')).headers;
});

async function lookups(): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(served.server.url.replace('/graphql', '/metrics'))).text();
  const value = (outcome: string) =>
    Number(new RegExp(`^minergraph_response_cache_lookups_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { hit: value('hit'), miss: value('miss') };
}

/** How lookups moved while `work` ran. */
async function counted(work: () => Promise<unknown>): Promise<{ hit: number; miss: number }> {
  const before = await lookups();
  await work();
  const after = await lookups();
  return { hit: after.hit - before.hit, miss: after.miss - before.miss };
}

const count = async () => (await served.server.query(COUNT)).company.treasuryTransactions.totalCount as number;

async function record(i: number) {
  const answer = await served.server.graphql(RECORD.replace('"cache-"', `"cache-${i}-${Math.random()}"`), {}, editor);
  expect(answer.data).toEqual({ recordTreasuryTransaction: { userErrors: [] } });
}

describe(`the response cache on ${engine}`, () => {
  it('answers a repeated read from memory, and a read after a mutation with the new answer, every time', async () => {
    const first = await count();
    expect(await counted(async () => expect(await count()).toBe(first))).toEqual({ hit: 1, miss: 0 });
    for (let i = 1; i <= 5; i += 1) {
      await record(i);
      expect(await counted(async () => expect(await count()).toBe(first + i))).toEqual({ hit: 0, miss: 1 });
      expect(await counted(async () => expect(await count()).toBe(first + i))).toEqual({ hit: 1, miss: 0 });
    }
  });

  it('keys answers by variables and by role', async () => {
    const byTicker = 'query ($t: String!) { company(ticker: $t) { ticker } }';
    expect(await counted(() => served.server.graphql(byTicker, { t: 'CANG' }))).toEqual({ hit: 0, miss: 1 });
    expect((await served.server.graphql(byTicker, { t: 'NONE' })).data).toEqual({ company: null });
    expect((await served.server.graphql(byTicker, { t: 'CANG' })).data).toEqual({ company: { ticker: 'CANG' } });
    const reader = (await keyHeaders(served.database, 'reader')).headers;
    expect(await counted(() => served.server.graphql(byTicker, { t: 'CANG' }, reader))).toEqual({ hit: 0, miss: 1 });
    expect(await counted(() => served.server.graphql(byTicker, { t: 'CANG' }, reader))).toEqual({ hit: 1, miss: 0 });
  });

  it('keeps no answer with errors, and none that read the instant of the request', async () => {
    const refused =
      '{ asset(symbol: "BTC") { candles(from: "2025-01-02T00:00:00Z", to: "2025-01-01T00:00:00Z", interval: DAY) { open } } }';
    for (let i = 0; i < 2; i += 1) {
      expect(
        await counted(async () => expect((await served.server.graphql(refused)).errors?.[0]?.message).toBe('"from" must be before "to".')),
      ).toEqual({
        hit: 0,
        miss: 1,
      });
    }
    const latest = '{ asset(symbol: "BTC") { priceAt { priceUsd } } }';
    for (let i = 0; i < 2; i += 1) expect(await counted(() => served.server.graphql(latest))).toEqual({ hit: 0, miss: 1 });
    // Given the instant, the same field is an answer like any other.
    const at = '{ asset(symbol: "BTC") { priceAt(at: "2026-01-31T00:00:00Z") { priceUsd } } }';
    await served.server.graphql(at);
    expect(await counted(() => served.server.graphql(at))).toEqual({ hit: 1, miss: 0 });
  });

  it('leaves an operationName that names no operation to GraphQL, which says so (not an internal error)', async () => {
    const response = await fetch(served.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: COUNT, operationName: 'Missing' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Unknown operation named "Missing".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }],
    });
  });

  it('never answers a mutation from memory', async () => {
    const before = await count();
    expect(await counted(() => record(100))).toEqual({ hit: 0, miss: 0 });
    expect(await count()).toBe(before + 1);
  });

  it('sends an ETag with a persisted query sent as GET, and 304 to a client that has that answer', async () => {
    const document = 'query Tickers { companies(orderBy: TICKER_ASC) { edges { node { ticker } } } }';
    const persisted = await startTestServer(served.database, { responseCache: CACHE, manifest: new Map([[sha256(document), document]]) });
    try {
      const get = (headers: Record<string, string> = {}) =>
        fetch(
          `${persisted.url}?operationName=Tickers&extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(document) } }))}`,
          {
            headers: { 'apollo-require-preflight': 'true', ...headers },
          },
        );
      const first = await get();
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ data: { companies: { edges: [{ node: { ticker: 'CANG' } }] } } });
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      const again = await get({ 'if-none-match': etag });
      expect([again.status, await again.text(), again.headers.get('etag')]).toEqual([304, '', etag]);

      const created = await persisted.graphql(
        'mutation { createCompany(input: { name: "Etag Mining", ticker: "ETAG" }) { userErrors { code } } }',
        {},
        editor,
      );
      expect(created.data).toEqual({ createCompany: { userErrors: [] } });
      const changed = await get({ 'if-none-match': etag });
      expect(changed.status).toBe(200);
      expect(await changed.json()).toEqual({
        data: { companies: { edges: [{ node: { ticker: 'CANG' } }, { node: { ticker: 'ETAG' } }] } },
      });
      expect(changed.headers.get('etag')).not.toBe(etag);
    } finally {
      await persisted.close();
    }
  });
});

describe.skipIf(engine !== 'postgres')('the response cache when its LISTEN connection breaks', () => {
  const listeners = () =>
    sql<{
      pid: number;
    }>`select pid from pg_stat_activity where datname = current_database() and query = 'listen minergraph_changes'`.execute(
      served.database.db,
    );

  it('forgets what it held, and holds answers again once it listens again', async () => {
    const tickers = '{ companies { edges { node { ticker } } } }';
    await served.server.graphql(tickers);
    expect(await counted(() => served.server.graphql(tickers))).toEqual({ hit: 1, miss: 0 });
    const [before] = (await listeners()).rows;
    const terminated = await sql<{ ok: boolean }>`select pg_terminate_backend(${before!.pid}) as ok`.execute(served.database.db);
    expect(terminated.rows).toEqual([{ ok: true }]);
    let after: { pid: number } | undefined;
    for (let i = 0; i < 200 && !after; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      after = (await listeners()).rows.find((row) => row.pid !== before!.pid);
    }
    expect(after).toBeDefined();
    expect(await counted(() => served.server.graphql(tickers))).toEqual({ hit: 0, miss: 1 });
    expect(await counted(() => served.server.graphql(tickers))).toEqual({ hit: 1, miss: 0 });
  });
});

describe(`the change bus on ${engine}`, () => {
  let bus: ChangeBus;
  const heard: ChangeEvent[] = [];
  beforeAll(async () => {
    bus = await startChangeBus(served.database, createLogger('silent', false));
    bus.onChange((event) => heard.push(event));
  });
  afterAll(() => bus?.close());

  it('hears every write with what it changed, and its version grows with each', async () => {
    const before = BigInt(await bus.version());
    heard.length = 0;
    await record(200);
    const prices = await served.server.graphql(
      'mutation { recordPrices(input: { symbol: "BTC", points: [{ at: "2031-01-01T00:00:00Z", close: "10" }, { at: "2031-01-02T00:00:00Z", close: "11" }] }) { inserted userErrors { code } } }',
      {},
      editor,
    );
    expect(prices.data).toEqual({ recordPrices: { inserted: 2, userErrors: [] } });
    // PostgreSQL delivers notifications on its own connection, a moment after the commit.
    for (let i = 0; i < 100 && heard.length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const company = await served.database.db.selectFrom('companies').select('id').where('ticker', '=', 'CANG').executeTakeFirstOrThrow();
    const btc = await served.database.db.selectFrom('assets').select('id').where('symbol', '=', 'BTC').executeTakeFirstOrThrow();
    const transaction = await served.database.db
      .selectFrom('treasury_transactions')
      .select('id')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(heard).toEqual([
      {
        kind: 'company',
        companyId: company.id,
        ticker: 'CANG',
        record: 'treasuryTransaction',
        ids: [transaction.id],
        version: expect.any(String),
      },
      {
        kind: 'prices',
        symbol: 'BTC',
        assetId: btc.id,
        inserted: 2,
        updated: 0,
        from: '2031-01-01T00:00:00.000Z',
        to: '2031-01-02T00:00:00.000Z',
        version: expect.any(String),
      },
    ]);
    const [first, second] = heard.map((event) => BigInt(event.version));
    expect(first! > before && second! > first!).toBe(true);
    expect(await bus.version()).toBe(heard[1]!.version);
  });
});

describe(`the seed on ${engine}`, () => {
  it('moves the version: a cached empty answer is not given after the seed facts load', async () => {
    const empty = await createTestDatabase('migrated');
    const fresh = await startTestServer(empty, { responseCache: CACHE });
    try {
      const tickers = '{ companies { edges { node { ticker } } } }';
      expect((await fresh.graphql(tickers)).data).toEqual({ companies: { edges: [] } });
      expect((await fresh.graphql(tickers)).data).toEqual({ companies: { edges: [] } });
      expect(await seed(empty.db, { dataDir: foundingStoryData() })).toBe('loaded');
      expect((await fresh.graphql(tickers)).data).toEqual({ companies: { edges: [{ node: { ticker: 'CANG' } }] } });
    } finally {
      await fresh.close();
      await empty.destroy();
    }
  });
});
