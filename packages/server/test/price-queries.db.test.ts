import { describe, expect, it } from 'vitest';
import { insertAsset, upsertPrices, type NewPricePoint } from '../src/repositories/asset.repository.js';
import { useTestServer } from '@minergraph/test-support';

// The edges of the price queries that read buckets and whole days: HOUR candles from
// date_bin over a range cut to whole hours, change from price_days for the UTC days wholly
// between its two points and from the observations for the part days at either end.

/**
 * TSTQ, synthetic. 2026-05-04 has three hours with prices (09:00 ends one millisecond before
 * 10:00; 23:00 holds one point); 05-05 holds one point, at midnight; nothing on 05-06; the
 * lowest low (1) and highest high (25) come last, after 05-08T12:00, and the low before them
 * (2) just before 10:00 on 05-04, so a range that took one observation too many shows it.
 */
const TSTQ: [at: string, open: string, high: string, low: string, close: string, volume: string | null][] = [
  ['2026-05-04T09:59:59.999Z', '10', '11', '2', '10.5', '1'],
  ['2026-05-04T10:00:00.000Z', '10.5', '12', '10', '11', '2'],
  ['2026-05-04T10:30:00.000Z', '11', '15', '10.5', '14', null],
  ['2026-05-04T10:59:59.000Z', '14', '14.5', '13', '13.5', '3'],
  ['2026-05-04T23:00:00.000Z', '13.5', '13.6', '13.4', '13.5', null],
  ['2026-05-05T00:00:00.000Z', '13.5', '20', '13', '19', '4'],
  ['2026-05-07T12:00:00.000Z', '19', '19.5', '5', '6', '5'],
  ['2026-05-07T18:00:00.000Z', '6', '20', '6', '19.5', '6'],
  ['2026-05-08T06:00:00.000Z', '19.5', '19.9', '4', '19', '1'],
  ['2026-05-08T18:00:00.000Z', '19', '25', '1', '24', '1'],
];

const served = useTestServer({
  start: 'migrated',
  setup: async (database) => {
    const asset = await insertAsset(database.db, { symbol: 'TSTQ', name: 'Test Asset Q', kind: 'CRYPTO' });
    const points: NewPricePoint[] = TSTQ.map(([at, open, high, low, close, volume]) => ({
      at: new Date(at),
      open,
      high,
      low,
      close,
      volume,
    }));
    await upsertPrices(database.db, asset.id, points);
  },
});

async function ask(query: string) {
  const data = await served.server.query(query);
  return (data as { asset: Record<string, unknown> }).asset;
}

const hours = async (from: string, to: string) =>
  (await ask(`{ asset(symbol: "TSTQ") { candles(from: "${from}", to: "${to}", interval: HOUR) { start open high low close volume } } }`))
    .candles;

const change = async (from: string, to?: string) =>
  (
    await ask(
      `{ asset(symbol: "TSTQ") { change(from: "${from}"${to ? `, to: "${to}"` : ''}) { from { at priceUsd } to { at priceUsd } high low } } }`,
    )
  ).change;

describe('HOUR candles', () => {
  it('start on the hour in UTC; a bucket that starts before `from` is left out, one that starts before `to` is whole', async () => {
    const ten = { start: '2026-05-04T10:00:00.000Z', open: '10.5', high: '15', low: '10', close: '13.5', volume: '5' };
    expect(await hours('2026-05-04T09:30:00Z', '2026-05-04T11:00:00Z')).toEqual([ten]);
    expect(await hours('2026-05-04T09:00:00Z', '2026-05-04T10:00:00.001Z')).toEqual([
      { start: '2026-05-04T09:00:00.000Z', open: '10', high: '11', low: '2', close: '10.5', volume: '1' },
      ten,
    ]);
    expect(await hours('2026-05-04T10:00:00.001Z', '2026-05-04T11:00:00Z')).toEqual([]);
  });

  it('an hour with a single observation is that observation; empty hours are left out, across midnight', async () => {
    expect(await hours('2026-05-04T22:00:00Z', '2026-05-05T02:00:00Z')).toEqual([
      { start: '2026-05-04T23:00:00.000Z', open: '13.5', high: '13.6', low: '13.4', close: '13.5', volume: null },
      { start: '2026-05-05T00:00:00.000Z', open: '13.5', high: '20', low: '13', close: '19', volume: '4' },
    ]);
  });
});

describe('change over whole and part days', () => {
  it('takes the part days at both ends from the observations and the days between from the daily rollup', async () => {
    expect(await change('2026-05-04T10:15:00Z', '2026-05-08T12:00:00Z')).toEqual({
      from: { at: '2026-05-04T10:00:00.000Z', priceUsd: '11' },
      to: { at: '2026-05-08T06:00:00.000Z', priceUsd: '19' },
      high: '20',
      low: '4',
    });
  });

  it('within one day reads only that stretch of it', async () => {
    expect(await change('2026-05-04T10:30:00Z', '2026-05-04T10:59:59Z')).toEqual({
      from: { at: '2026-05-04T10:30:00.000Z', priceUsd: '14' },
      to: { at: '2026-05-04T10:59:59.000Z', priceUsd: '13.5' },
      high: '15',
      low: '10.5',
    });
  });

  it('from a midnight counts that whole day, and a day with a single observation, to a point inside a later day', async () => {
    expect(await change('2026-05-05T00:00:00Z', '2026-05-07T18:00:00Z')).toEqual({
      from: { at: '2026-05-05T00:00:00.000Z', priceUsd: '19' },
      to: { at: '2026-05-07T18:00:00.000Z', priceUsd: '19.5' },
      high: '20',
      low: '5',
    });
    expect(await change('2026-05-05T00:00:00Z', '2026-05-07T00:00:00Z')).toEqual({
      from: { at: '2026-05-05T00:00:00.000Z', priceUsd: '19' },
      to: { at: '2026-05-05T00:00:00.000Z', priceUsd: '19' },
      high: '20',
      low: '13',
    });
  });

  it('without `to` runs to the latest observation, the end included', async () => {
    expect(await change('2026-05-08T12:00:00Z')).toEqual({
      from: { at: '2026-05-08T06:00:00.000Z', priceUsd: '19' },
      to: { at: '2026-05-08T18:00:00.000Z', priceUsd: '24' },
      high: '25',
      low: '1',
    });
  });
});

describe('the all-time high through the daily rollup', () => {
  it('is the observation with the highest high, on the last day', async () => {
    expect((await ask('{ asset(symbol: "TSTQ") { allTimeHigh { at priceUsd } } }')).allTimeHigh).toEqual({
      at: '2026-05-08T18:00:00.000Z',
      priceUsd: '25',
    });
  });
});
