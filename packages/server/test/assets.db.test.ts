import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/config.js';
import { insertAsset, upsertPrices, type NewPricePoint } from '../src/repositories/asset.repository.js';
import { insertCompany } from '../src/repositories/company.repository.js';
import { insertSource } from '../src/repositories/source.repository.js';
import { startTestServer, useTestServer } from '@minergraph/test-support';

/**
 * TSTA, a synthetic equity. 2026-03-01 is a Sunday and 2026-03-02 a Monday; nothing is
 * observed on 2026-03-03. The highest high (14, at 00:45 on 03-02) is not the highest close
 * (13.9, at 01:00), and the latest close is 10.5.
 */
const TSTA: [at: string, open: string, high: string, low: string, close: string, volume: string | null][] = [
  ['2026-02-27T10:15:00Z', '10', '12', '9', '11', '100'],
  ['2026-02-28T09:00:00Z', '11', '11.5', '10.5', '11.25', null],
  ['2026-03-01T23:30:00Z', '11.25', '13', '11', '12.5', '50'],
  ['2026-03-02T00:00:00Z', '12.5', '12.75', '12', '12.6', '25.5'],
  ['2026-03-02T00:45:00Z', '12.6', '14', '12.05', '12.2', null],
  ['2026-03-02T01:00:00Z', '12.2', '13.95', '8', '13.9', '10'],
  ['2026-03-04T12:00:00Z', '13.9', '13.9', '9', '9.75', '5'],
  ['2026-04-01T00:00:00Z', '9.75', '10.5', '9.7', '10.5', '1'],
];

const served = useTestServer({
  setup: async (database) => {
    const quotes = await insertSource(database.db, { title: 'Test quotes', url: null, publisher: 'Test feed', published_on: '2026-04-02' });
    const tsta = await insertAsset(database.db, { symbol: 'TSTA', name: 'Test Asset A', kind: 'EQUITY' });
    const points: NewPricePoint[] = TSTA.map(([at, open, high, low, close, volume]) => ({
      at: new Date(at),
      open,
      high,
      low,
      close,
      volume,
    }));
    await upsertPrices(database.db, tsta.id, points, { sourceId: quotes });
    // TSTB reaches its highest high, 20, twice.
    const tstb = await insertAsset(database.db, { symbol: 'TSTB', name: 'Test Asset B', kind: 'EQUITY' });
    await upsertPrices(database.db, tstb.id, [
      { at: new Date('2026-01-05T00:00:00Z'), open: '18', high: '20', low: '17', close: '19', volume: null },
      { at: new Date('2026-01-10T00:00:00Z'), open: '19', high: '20', low: '18', close: '18', volume: null },
      { at: new Date('2026-01-15T00:00:00Z'), open: '18', high: '18', low: '15', close: '15', volume: null },
    ]);
    await insertAsset(database.db, { symbol: 'TSTE', name: 'Test Empty', kind: 'CRYPTO' });
    await insertCompany(database.db, { name: 'Test Crypto Namesake', ticker: 'TSTE' });
    await insertCompany(database.db, { name: 'Test Unlisted', ticker: 'TSTU' });
  },
});

async function ask(query: string, variables?: Record<string, unknown>) {
  const data = await served.server.query(query, variables);
  return data;
}

async function candles(from: string, to: string, interval: string) {
  const data = await ask(`{
    asset(symbol: "TSTA") { candles(from: "${from}", to: "${to}", interval: ${interval}) { start open high low close volume } }
  }`);
  return data.asset.candles;
}

describe('finding assets', () => {
  it('asset(symbol) ignores case and surrounding spaces', async () => {
    const data = await ask(`{
      lower: asset(symbol: "tsta") { symbol name kind quoteCurrency }
      spaced: asset(symbol: " Btc ") { symbol name kind }
    }`);
    expect(data).toEqual({
      lower: { symbol: 'TSTA', name: 'Test Asset A', kind: 'EQUITY', quoteCurrency: 'USD' },
      spaced: { symbol: 'BTC', name: 'Bitcoin', kind: 'CRYPTO' },
    });
  });

  it('an unknown symbol is null, not an error', async () => {
    expect(await ask('{ asset(symbol: "TSTX") { symbol } }')).toEqual({ asset: null });
  });

  it('assets lists every asset by symbol, and kind narrows it', async () => {
    const data = await ask(`{
      all: assets { symbol kind }
      crypto: assets(kind: CRYPTO) { symbol }
      equity: assets(kind: EQUITY) { symbol }
    }`);
    expect(data).toEqual({
      all: [
        { symbol: 'BTC', kind: 'CRYPTO' },
        { symbol: 'CANG', kind: 'EQUITY' },
        { symbol: 'TSTA', kind: 'EQUITY' },
        { symbol: 'TSTB', kind: 'EQUITY' },
        { symbol: 'TSTE', kind: 'CRYPTO' },
      ],
      crypto: [{ symbol: 'BTC' }, { symbol: 'TSTE' }],
      equity: [{ symbol: 'CANG' }, { symbol: 'TSTA' }, { symbol: 'TSTB' }],
    });
  });

  it("a company's stock is the equity with its ticker, and null when that symbol is not an equity or does not exist", async () => {
    const data = await ask(`{
      cango: company(ticker: "CANG") { stock { symbol name kind latestPrice { at priceUsd } } }
      namesake: company(ticker: "TSTE") { stock { symbol } }
      unlisted: company(ticker: "TSTU") { stock { symbol } }
    }`);
    expect(data).toEqual({
      cango: {
        stock: {
          symbol: 'CANG',
          // Named by the fact loader after the company; the latest seeded price is BitcoinQuant's
          // 0.97 of 2026-02-06 (data/prices/CANG.yaml).
          name: 'Cango Inc. shares',
          kind: 'EQUITY',
          latestPrice: { at: '2026-02-06T00:00:00.000Z', priceUsd: '0.97' },
        },
      },
      namesake: { stock: null },
      unlisted: { stock: null },
    });
  });

  it('node(id) of an asset returns it', async () => {
    const { asset } = await ask('{ asset(symbol: "TSTA") { id } }');
    const data = await ask('query ($id: ID!) { node(id: $id) { __typename id ... on Asset { symbol } } }', { id: asset.id });
    expect(data.node).toEqual({ __typename: 'Asset', id: asset.id, symbol: 'TSTA' });
  });
});

describe('prices at a moment', () => {
  it('latestPrice is the newest observation, with its source', async () => {
    const data = await ask('{ asset(symbol: "TSTA") { latestPrice { at priceUsd source { title publisher publishedOn } } } }');
    expect(data.asset.latestPrice).toEqual({
      at: '2026-04-01T00:00:00.000Z',
      priceUsd: '10.5',
      source: { title: 'Test quotes', publisher: 'Test feed', publishedOn: '2026-04-02' },
    });
  });

  it('priceAt an instant with an observation is that observation', async () => {
    const data = await ask('{ asset(symbol: "TSTA") { priceAt(at: "2026-03-02T00:00:00Z") { at priceUsd } } }');
    expect(data.asset.priceAt).toEqual({ at: '2026-03-02T00:00:00.000Z', priceUsd: '12.6' });
  });

  it('priceAt an instant between observations is the last one before it', async () => {
    const data = await ask('{ asset(symbol: "TSTA") { priceAt(at: "2026-03-02T00:59:59.999Z") { at priceUsd } } }');
    expect(data.asset.priceAt).toEqual({ at: '2026-03-02T00:45:00.000Z', priceUsd: '12.2' });
  });

  it('priceAt honours the time zone of the instant it is given', async () => {
    // 01:30 at +01:00 is 00:30 UTC: after the 00:00 observation, before the 00:45 one.
    const data = await ask('{ asset(symbol: "TSTA") { priceAt(at: "2026-03-02T01:30:00+01:00") { at priceUsd } } }');
    expect(data.asset.priceAt).toEqual({ at: '2026-03-02T00:00:00.000Z', priceUsd: '12.6' });
  });

  it('priceAt before the first observation is null', async () => {
    const data = await ask('{ asset(symbol: "TSTA") { priceAt(at: "2026-02-27T10:14:59.999Z") { at priceUsd } } }');
    expect(data.asset.priceAt).toBeNull();
  });

  it('several priceAt in one request each get their own answer', async () => {
    const data = await ask(`{ asset(symbol: "TSTA") {
      a: priceAt(at: "2026-02-28T00:00:00Z") { priceUsd }
      b: priceAt(at: "2026-03-10T00:00:00Z") { priceUsd }
      c: priceAt(at: "2030-01-01T00:00:00Z") { priceUsd }
    } }`);
    expect(data.asset).toEqual({ a: { priceUsd: '11' }, b: { priceUsd: '9.75' }, c: { priceUsd: '10.5' } });
  });

  it('seeded prices say where they come from', async () => {
    const data = await ask(`{
      btc: asset(symbol: "BTC") {
        peak: allTimeHigh { at priceUsd source { title publisher url } }
        afterPeak: priceAt(at: "2025-12-01T00:00:00Z") { at priceUsd source { title publisher url } }
        latestPrice { priceUsd source { title publisher url } }
      }
      cang: asset(symbol: "CANG") { latestPrice { priceUsd source { title } } }
    }`);
    // data/prices/BTC.yaml: 2025-10-06 quotes the all-time high 126,080 (CoinNewsByte) and the
    // day's close 124,752.53 (pixelation.org). Each is its own observation with its own page: the
    // high at the day's first instant, the close at its last millisecond.
    // CoinNewsByte's page shows no title, so its title is the loader's placeholder.
    const coinNewsByte = {
      title: '(the page shows no title)',
      publisher: 'CoinNewsByte (only source)',
      url: 'https://coinnewsbyte.com/bitcoin/cango-sells-4451-btc-for-305-million-to-expand-ai-operations',
    };
    expect(data).toEqual({
      btc: {
        peak: { at: '2025-10-06T00:00:00.000Z', priceUsd: '126080', source: coinNewsByte },
        afterPeak: {
          at: '2025-10-06T23:59:59.999Z',
          priceUsd: '124752.53',
          source: {
            title: "Bitcoin's Highest Ever Price: What Really Happened at $126,000",
            publisher: 'pixelation.org (only source)',
            url: 'https://pixelation.org/bitcoins-highest-ever-price-what-really-happened-at-126000-223s',
          },
        },
        latestPrice: { priceUsd: '70727', source: coinNewsByte },
      },
      cang: { latestPrice: { priceUsd: '0.97', source: { title: 'Cango (CANG) Bitcoin Treasury Dashboard' } } },
    });
  });
});

describe('candles', () => {
  it('HOUR buckets start on the hour and combine the observations inside them', async () => {
    expect(await candles('2026-03-01T23:00:00Z', '2026-03-02T02:00:00Z', 'HOUR')).toEqual([
      { start: '2026-03-01T23:00:00.000Z', open: '11.25', high: '13', low: '11', close: '12.5', volume: '50' },
      // 00:00 and 00:45: first open, highest high, lowest low, last close, volumes summed (a missing one adds nothing).
      { start: '2026-03-02T00:00:00.000Z', open: '12.5', high: '14', low: '12', close: '12.2', volume: '25.5' },
      { start: '2026-03-02T01:00:00.000Z', open: '12.2', high: '13.95', low: '8', close: '13.9', volume: '10' },
    ]);
  });

  it('DAY buckets start at 00:00 UTC, oldest first, and empty days are left out', async () => {
    expect(await candles('2026-02-27T00:00:00Z', '2026-03-05T00:00:00Z', 'DAY')).toEqual([
      { start: '2026-02-27T00:00:00.000Z', open: '10', high: '12', low: '9', close: '11', volume: '100' },
      { start: '2026-02-28T00:00:00.000Z', open: '11', high: '11.5', low: '10.5', close: '11.25', volume: null },
      { start: '2026-03-01T00:00:00.000Z', open: '11.25', high: '13', low: '11', close: '12.5', volume: '50' },
      { start: '2026-03-02T00:00:00.000Z', open: '12.5', high: '14', low: '8', close: '13.9', volume: '35.5' },
      { start: '2026-03-04T00:00:00.000Z', open: '13.9', high: '13.9', low: '9', close: '9.75', volume: '5' },
    ]);
  });

  it('a bucket with no volume at all has a null volume, not zero', async () => {
    const [day] = await candles('2026-02-28T00:00:00Z', '2026-03-01T00:00:00Z', 'DAY');
    expect(day).toEqual({ start: '2026-02-28T00:00:00.000Z', open: '11', high: '11.5', low: '10.5', close: '11.25', volume: null });
  });

  it('WEEK buckets start on Monday, so a Sunday and the Monday after it fall in different weeks', async () => {
    expect(await candles('2026-02-23T00:00:00Z', '2026-03-09T00:00:00Z', 'WEEK')).toEqual([
      // Fri 27 Feb, Sat 28 Feb and Sun 1 Mar.
      { start: '2026-02-23T00:00:00.000Z', open: '10', high: '13', low: '9', close: '12.5', volume: '150' },
      // Mon 2 Mar (three observations) and Wed 4 Mar.
      { start: '2026-03-02T00:00:00.000Z', open: '12.5', high: '14', low: '8', close: '9.75', volume: '40.5' },
    ]);
  });

  it('MONTH buckets start on the 1st', async () => {
    expect(await candles('2026-02-01T00:00:00Z', '2026-05-01T00:00:00Z', 'MONTH')).toEqual([
      { start: '2026-02-01T00:00:00.000Z', open: '10', high: '12', low: '9', close: '11.25', volume: '100' },
      { start: '2026-03-01T00:00:00.000Z', open: '11.25', high: '14', low: '8', close: '9.75', volume: '90.5' },
      { start: '2026-04-01T00:00:00.000Z', open: '9.75', high: '10.5', low: '9.7', close: '10.5', volume: '1' },
    ]);
  });

  it('only buckets that start in [from, to) are returned', async () => {
    // February starts before `from`; April starts exactly at `to`.
    expect(await candles('2026-02-15T00:00:00Z', '2026-04-01T00:00:00Z', 'MONTH')).toEqual([
      { start: '2026-03-01T00:00:00.000Z', open: '11.25', high: '14', low: '8', close: '9.75', volume: '90.5' },
    ]);
    // The 01:00 hour starts exactly at `to`.
    expect(await candles('2026-03-02T00:00:00Z', '2026-03-02T01:00:00Z', 'HOUR')).toEqual([
      { start: '2026-03-02T00:00:00.000Z', open: '12.5', high: '14', low: '12', close: '12.2', volume: '25.5' },
    ]);
    // 2 March started at 00:00, before `from`, even though it has observations after `from`.
    expect(await candles('2026-03-02T00:30:00Z', '2026-03-03T00:00:00Z', 'DAY')).toEqual([]);
  });

  it('a bucket that starts before `to` is whole, even where `to` falls inside it', async () => {
    expect(await candles('2026-03-02T00:00:00Z', '2026-03-02T00:30:00Z', 'DAY')).toEqual([
      { start: '2026-03-02T00:00:00.000Z', open: '12.5', high: '14', low: '8', close: '13.9', volume: '35.5' },
    ]);
  });

  it('a window with no observations has no candles', async () => {
    expect(await candles('2026-03-05T00:00:00Z', '2026-03-31T00:00:00Z', 'DAY')).toEqual([]);
  });

  it('more than 10,000 buckets in one request are refused as BAD_USER_INPUT', async () => {
    // 2025-01-01 to 2026-03-01 is 424 days, 10,176 hours. An HOUR bucket costs 15 here (14 and
    // its one field; 10 + 15 x 10,000 capped buckets + 1 for the asset = 150,011), so the default
    // cost limit refuses it first; the bucket cap is what a
    // server with a raised MINERGRAPH_MAX_COMPLEXITY still enforces.
    const query = `{
      asset(symbol: "TSTA") { candles(from: "2025-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: HOUR) { start } }
    }`;
    expect((await served.server.graphql(query)).errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
      [
        'QUERY_TOO_COMPLEX',
        "The query's cost is 150011 (lists count once per requested row); at most 25000 is allowed. Ask for fewer rows or fields.",
      ],
    ]);
    const generous = await startTestServer(served.database, { limits: { ...DEFAULT_LIMITS, maxComplexity: 1_000_000 } });
    try {
      expect((await generous.graphql(query)).errors).toEqual([
        expect.objectContaining({
          message: 'That spans 10176 HOUR buckets; at most 10000 fit in one request.',
          extensions: { code: 'BAD_USER_INPUT', field: ['interval'] },
        }),
      ]);
    } finally {
      await generous.close();
    }
  });

  it('from after to is refused as BAD_USER_INPUT', async () => {
    const { data, errors } = await served.server.graphql(`{
      asset(symbol: "TSTA") { candles(from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: DAY) { start } }
    }`);
    expect(data).toEqual({ asset: null });
    expect(errors).toEqual([
      expect.objectContaining({
        message: '"from" must be before "to".',
        path: ['asset', 'candles'],
        extensions: { code: 'BAD_USER_INPUT', field: ['from'] },
      }),
    ]);
  });
});

describe('change between two instants', () => {
  it('runs from the last observation at or before `from` to the last at or before `to`, with the range between', async () => {
    const data = await ask(`{ asset(symbol: "TSTA") {
      change(from: "2026-02-28T12:00:00Z", to: "2026-03-02T00:50:00Z") {
        from { at priceUsd } to { at priceUsd source { title } } changeUsd changePercent high low
      }
    } }`);
    expect(data.asset.change).toEqual({
      from: { at: '2026-02-28T09:00:00.000Z', priceUsd: '11.25' },
      to: { at: '2026-03-02T00:45:00.000Z', priceUsd: '12.2', source: { title: 'Test quotes' } },
      changeUsd: '0.95',
      // (12.2 - 11.25) / 11.25 × 100 = 76/9 = 8.444…, half-up at 8 places
      changePercent: 8.44444444,
      // Highs 11.5, 13, 12.75, 14 and lows 10.5, 11, 12, 12.05 from 28 Feb 09:00 to 2 Mar 00:45.
      high: '14',
      low: '10.5',
    });
  });

  it('without `to`, runs to the latest observation', async () => {
    const data = await ask(`{ asset(symbol: "TSTA") {
      change(from: "2026-03-02T01:00:00Z") { from { at priceUsd } to { at priceUsd } changeUsd changePercent high low }
    } }`);
    expect(data.asset.change).toEqual({
      from: { at: '2026-03-02T01:00:00.000Z', priceUsd: '13.9' },
      to: { at: '2026-04-01T00:00:00.000Z', priceUsd: '10.5' },
      changeUsd: '-3.4',
      // -3.4 / 13.9 × 100 = -3400/139 = -24.4604316546…, half-up at 8 places
      changePercent: -24.46043165,
      high: '13.95',
      low: '8',
    });
  });

  it('is null when nothing was observed at or before `from`', async () => {
    const data = await ask('{ asset(symbol: "TSTA") { change(from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z") { changeUsd } } }');
    expect(data.asset.change).toBeNull();
  });

  it('from after to is refused as BAD_USER_INPUT', async () => {
    const { errors } = await served.server.graphql(
      '{ asset(symbol: "TSTA") { change(from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z") { changeUsd } } }',
    );
    expect(errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the all-time high', () => {
  it('is the observation with the highest high, priced at that high rather than its close', async () => {
    const data = await ask('{ asset(symbol: "TSTA") { allTimeHigh { at priceUsd source { title } } } }');
    expect(data.asset.allTimeHigh).toEqual({ at: '2026-03-02T00:45:00.000Z', priceUsd: '14', source: { title: 'Test quotes' } });
  });

  it('when the highest high was reached twice, is the first time it was reached', async () => {
    const data = await ask('{ asset(symbol: "TSTB") { allTimeHigh { at priceUsd source { title } } drawdownFromAllTimeHigh } }');
    expect(data.asset).toEqual({
      allTimeHigh: { at: '2026-01-05T00:00:00.000Z', priceUsd: '20', source: null },
      // 1 - 15 / 20
      drawdownFromAllTimeHigh: 0.25,
    });
  });

  it('for BTC is the seeded peak of 126080, and the latest close is about 43.9 % below it', async () => {
    const data = await ask('{ asset(symbol: "BTC") { allTimeHigh { at priceUsd } drawdownFromAllTimeHigh } }');
    expect(data.asset.allTimeHigh).toEqual({ at: '2025-10-06T00:00:00.000Z', priceUsd: '126080' });
    // 1 - 70727 / 126080 = 55353 / 126080 = 0.43903077411167512…, half-up at 8 places
    expect(data.asset.drawdownFromAllTimeHigh).toBe(0.43903077);
  });

  it('drawdownFromAllTimeHigh is 1 - latest close / all-time high', async () => {
    const data = await ask('{ asset(symbol: "TSTA") { drawdownFromAllTimeHigh } }');
    // 1 - 10.5 / 14
    expect(data.asset.drawdownFromAllTimeHigh).toBe(0.25);
  });
});

describe('an asset with no prices', () => {
  it('has no latest price, price, change or all-time high, no drawdown and no candles', async () => {
    const data = await ask(`{ asset(symbol: "TSTE") {
      symbol
      latestPrice { priceUsd }
      priceAt(at: "2026-02-09T00:00:00Z") { priceUsd }
      change(from: "2026-01-01T00:00:00Z") { changeUsd }
      allTimeHigh { priceUsd }
      drawdownFromAllTimeHigh
      candles(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z", interval: MONTH) { start }
    } }`);
    expect(data.asset).toEqual({
      symbol: 'TSTE',
      latestPrice: null,
      priceAt: null,
      change: null,
      allTimeHigh: null,
      drawdownFromAllTimeHigh: null,
      candles: [],
    });
  });
});

describe('instants without a time zone', () => {
  it('are refused as a literal, naming the argument', async () => {
    const { status, data, errors } = await served.server.graphql(
      '{ asset(symbol: "BTC") { priceAt(at: "2026-02-09T00:00:00") { priceUsd } } }',
    );
    expect(status).toBe(400);
    expect(data).toBeUndefined();
    expect(errors).toEqual([
      expect.objectContaining({
        message:
          'Invalid value for "at": "2026-02-09T00:00:00" is not an ISO-8601 instant such as "2026-02-09T00:00:00Z" (a time zone is required).',
        extensions: { code: 'BAD_USER_INPUT', field: ['at'] },
      }),
    ]);
  });

  it('are refused as a variable, naming the variable', async () => {
    const { status, data, errors } = await served.server.graphql(
      'query ($at: DateTime!) { asset(symbol: "BTC") { priceAt(at: $at) { priceUsd } } }',
      { at: '2026-02-09T00:00:00' },
    );
    expect(status).toBe(400);
    expect(data).toBeUndefined();
    expect(errors).toEqual([
      expect.objectContaining({
        message:
          'Variable "$at" got invalid value "2026-02-09T00:00:00"; "2026-02-09T00:00:00" is not an ISO-8601 instant such as "2026-02-09T00:00:00Z" (a time zone is required).',
        extensions: { code: 'BAD_USER_INPUT', field: ['at'] },
      }),
    ]);
  });
});
