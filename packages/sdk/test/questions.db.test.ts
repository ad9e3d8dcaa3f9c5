import { beforeAll, describe, expect, it } from 'vitest';
import { keyHeaders, snapshot, useTestServer } from '@minergraph/test-support';
import { createClient, type FetchLike, type MinerGraphClient } from '../src/index.js';
import { btcNow, cangoToday, everyTransaction, recordMined } from './fixtures/questions.js';

let client: MinerGraphClient;
let editor: MinerGraphClient;

const served = useTestServer();

beforeAll(async () => {
  client = createClient({ url: served.server.url });
  editor = createClient({ url: served.server.url, apiKey: (await keyHeaders(served.database, 'editor')).key });
});

const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/** Where the test-only writes say they read their figures: every write of a fact names one. */
const TEST_SOURCE = { title: 'Test mining log', url: 'https://example.com/test-mining-log' };

/** The documented default `from` of a one-year window ending on `to`: the day after the same date a year earlier. */
function yearEndingOn(to: string): string {
  const [year, month, day] = to.split('-').map(Number) as [number, number, number];
  const sameDay = new Date(Date.UTC(year - 1, month - 1, day));
  // 29 February a year earlier is 1 March, already the day after 28 February.
  return utcDay(sameDay.getUTCMonth() === month - 1 ? new Date(sameDay.getTime() + 86_400_000) : sameDay);
}

/** A client that counts the requests it sends. */
function counting(): { client: MinerGraphClient; requests: string[] } {
  const requests: string[] = [];
  const fetchCounted: FetchLike = (url, init) => {
    requests.push(JSON.parse(init.body).operationName);
    return fetch(url, init);
  };
  return { client: createClient({ url: served.server.url, fetch: fetchCounted }), requests };
}

describe('company({ ticker }) and asset({ symbol }) answer with no window', () => {
  it("company({ ticker: 'CANG' }) is Cango today: holdings at the end of today and the treasury flow over the year up to it", async () => {
    const today = utcDay(new Date());
    const answer = await cangoToday(client);
    expect(answer.on).toBe(today);
    // The latest reported holdings: 1,026 BTC at 2026-03-31 (Q1 2026 release, data/companies/CANG.yaml).
    expect(answer.held).toBe('1026');
    expect(answer.flow.to).toBe(today);
    expect(answer.flow.from).toBe(yearEndingOn(today));
    expect(answer.flow.closingBtc).toBe('1026');
    // The defaults are exactly that window, asked for explicitly.
    expect(await client.company({ ticker: 'CANG' })).toEqual(
      await client.company({ ticker: 'CANG', from: yearEndingOn(today), to: today }),
    );
  });

  it("asset({ symbol: 'BTC' }) is BTC now: the latest price, the all-time high and the drawdown, daily candles over the last year", async () => {
    const now = new Date();
    const yearAgo = new Date(now);
    yearAgo.setUTCFullYear(now.getUTCFullYear() - 1);
    // The seeded BTC prices (data/prices/BTC.yaml up to 2026-02-09), one observation a day: a
    // daily candle for each that falls in the last year.
    const seeded = [
      '2024-12-31',
      '2025-03-31',
      '2025-06-30',
      '2025-09-29',
      '2025-09-30',
      '2025-10-06',
      '2025-12-31',
      '2026-01-01',
      '2026-02-08',
      '2026-02-09',
    ].map((day) => `${day}T00:00:00.000Z`);
    expect(await btcNow(client)).toEqual({
      price: '70727',
      at: '2026-02-09T00:00:00.000Z',
      high: '126080',
      // 1 - 70727 / 126080 = 0.439030774..., rounded half-up to 8 places.
      drawdown: 0.43903077,
      candles: seeded.filter((at) => at >= yearAgo.toISOString() && at < now.toISOString()).length,
    });
    const explicit = await client.asset({ symbol: 'BTC', from: yearAgo.toISOString(), to: now.toISOString(), at: now.toISOString() });
    expect(await client.asset({ symbol: 'BTC' })).toEqual(explicit);
  });
});

describe('client.paginate walks every page', () => {
  it('visits every one of the seeded transactions exactly once, newest first, one request per page', async () => {
    const { client: counted, requests } = counting();
    const all = await everyTransaction(counted, 'CANG', 1);
    // data/companies/CANG.yaml: the monthly reports' mined and sold BTC (October 2025 to
    // February 2026) and the sale of 4,451 BTC.
    expect(all.map((t) => [t.kind, t.btc, t.occurredOn])).toEqual([
      ['MINED', '454.83', '2026-02-28'],
      ['SOLD', '4451', '2026-02-08'],
      ['SOLD', '550.03', '2026-01-31'],
      ['MINED', '496.35', '2026-01-31'],
      ['MINED', '569', '2025-12-31'],
      ['MINED', '546.7', '2025-11-30'],
      ['MINED', '602.6', '2025-10-31'],
    ]);
    expect(new Set(all.map((t) => t.id)).size).toBe(7);
    expect(requests).toEqual(Array(7).fill('TreasuryTransactions'));
  });

  it('after writes by ticker, pages of 3 and the default pages of 100 visit the same 14 transactions once each', async () => {
    for (let day = 1; day <= 7; day += 1) {
      const recorded = await recordMined(editor, `1.${day}`, `2026-03-0${day}`, TEST_SOURCE);
      expect(recorded.userErrors).toEqual([]);
      expect(recorded.transaction?.occurredOn).toBe(`2026-03-0${day}`);
    }
    const { client: counted, requests } = counting();
    const byThree = await everyTransaction(counted, 'CANG', 3);
    expect(byThree).toHaveLength(14);
    expect(new Set(byThree.map((t) => t.id)).size).toBe(14);
    expect(requests).toHaveLength(5);
    expect(byThree.slice(0, 7).map((t) => t.btc)).toEqual(['1.7', '1.6', '1.5', '1.4', '1.3', '1.2', '1.1']);
    const whole = await everyTransaction(client, 'CANG');
    expect(whole).toEqual(byThree);
    const { company } = await client.treasuryTransactions({ ticker: 'CANG', first: 100 });
    expect(company?.treasuryTransactions.totalCount).toBe(14);
    expect(company?.treasuryTransactions.edges.map((edge) => edge.node)).toEqual(whole);
  });

  it('passes the filter on to every page and starts after a given cursor', async () => {
    const sold: string[] = [];
    for await (const sale of client.paginate.treasuryTransactions({ ticker: 'cang', first: 1, filter: { kinds: ['SOLD'] } }))
      sold.push(sale.btc);
    expect(sold).toEqual(['4451', '550.03']);
    const { company } = await client.treasuryTransactions({ ticker: 'CANG', first: 9 });
    const rest: string[] = [];
    for await (const tx of client.paginate.treasuryTransactions({
      ticker: 'CANG',
      first: 1,
      after: company?.treasuryTransactions.pageInfo.endCursor ?? null,
    })) {
      rest.push(tx.btc);
    }
    // The first 9 are the seven written above, 454.83 and 4451.
    expect(rest).toEqual(['550.03', '496.35', '569', '546.7', '602.6']);
  });

  it('visits nothing, after one request, for a ticker no company has', async () => {
    const { client: counted, requests } = counting();
    expect(await everyTransaction(counted, 'ZZZZ')).toEqual([]);
    expect(requests).toEqual(['TreasuryTransactions']);
  });
});

describe('writes by ticker through the SDK', () => {
  it('an unknown ticker comes back as NOT_FOUND on input.ticker and writes nothing', async () => {
    const before = await snapshot(served.database);
    const { recordTreasuryTransaction } = await editor.recordTreasuryTransaction({
      input: { ticker: 'ZZZZ', kind: 'MINED', btc: '1', occurredOn: '2026-03-01', source: TEST_SOURCE },
    });
    expect(recordTreasuryTransaction).toEqual({
      transaction: null,
      userErrors: [{ field: ['input', 'ticker'], code: 'NOT_FOUND', message: 'No company has the ticker ZZZZ.' }],
    });
    expect(await snapshot(served.database)).toEqual(before);
  });
});
