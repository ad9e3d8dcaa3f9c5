import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo } from '../src/db/migrate.js';
import { createTestDatabase, priceDays, type TestDatabase } from '@minergraph/test-support';

// The price_days migration fills one row per asset and UTC day from the observations already
// recorded, then keeps it with triggers. The triggers run in every test that records prices;
// the back-fill ran once, on databases that had prices before it, and nothing tested it on data.

const BEFORE = '2026-11-23T00-00_domain';
const PRICE_DAYS = '2026-11-24T00-00_price-days';

let database: TestDatabase;
let btc: string;
let exmc: string;

beforeAll(async () => {
  database = await createTestDatabase('empty');
  await migrateTo(database.db, BEFORE);
  const asset = async (symbol: string, name: string, kind: 'CRYPTO' | 'EQUITY') =>
    (await database.db.insertInto('assets').values({ symbol, name, kind }).returning('id').executeTakeFirstOrThrow()).id;
  btc = await asset('BTC', 'Bitcoin', 'CRYPTO');
  // A fictional equity: the figures are test data, not facts about a company.
  exmc = await asset('EXMC', 'Example Mining Corp.', 'EQUITY');

  const point = (asset_id: string, at: string, open: string, high: string, low: string, close: string, volume: string | null) => ({
    asset_id,
    at,
    open,
    high,
    low,
    close,
    volume,
  });
  // Inserted out of time order, so that open and close must come from `at`, not from the order of rows.
  await database.db
    .insertInto('price_observations')
    .values([
      // BTC, 1 March: a single observation.
      point(btc, '2026-03-01T12:00:00Z', '100', '110', '90', '105', '7'),
      // BTC, 2 March: four, from the first to the last millisecond of the day; one without volume.
      point(btc, '2026-03-02T12:00:00Z', '119', '119.5', '80', '81', null),
      point(btc, '2026-03-02T23:59:59.999Z', '81', '95', '81', '94.25', '0.5'),
      point(btc, '2026-03-02T00:00:00Z', '105', '106', '104', '105.5', '1'),
      point(btc, '2026-03-02T06:00:00Z', '105.5', '120', '105', '119', '2.5'),
      // BTC, 3 March: midnight UTC opens the day; 01:00 on 4 March at +02:00 is 23:00 UTC on the 3rd. No volume at all.
      point(btc, '2026-03-04T01:00:00+02:00', '95', '96', '93', '96', null),
      point(btc, '2026-03-03T00:00:00Z', '94', '94', '94', '94', null),
      // EXMC, 2 March: the same day as BTC's four, kept apart by asset.
      point(exmc, '2026-03-02T21:00:00Z', '5.25', '5.3', '5.1', '5.2', '2000'),
      point(exmc, '2026-03-02T14:30:00Z', '5', '5.5', '4.9', '5.25', '1000'),
    ])
    .execute();
});

afterAll(async () => {
  await database?.destroy();
});

describe('the price_days migration', () => {
  it('back-fills one row per asset and UTC day: first open, highest high, lowest low, last close, summed volume, count', async () => {
    expect(await migrateTo(database.db, PRICE_DAYS)).toEqual([{ migrationName: PRICE_DAYS, direction: 'Up', status: 'Success' }]);
    expect(await priceDays(database)).toEqual([
      { symbol: 'BTC', day: '2026-03-01', open: '100', high: '110', low: '90', close: '105', volume: '7', observations: 1 },
      // Volume sums the observations that have one: 1 + 2.5 + 0.5.
      { symbol: 'BTC', day: '2026-03-02', open: '105', high: '120', low: '80', close: '94.25', volume: '4.0', observations: 4 },
      { symbol: 'BTC', day: '2026-03-03', open: '94', high: '96', low: '93', close: '96', volume: null, observations: 2 },
      { symbol: 'EXMC', day: '2026-03-02', open: '5', high: '5.5', low: '4.9', close: '5.2', volume: '3000', observations: 2 },
    ]);
  });

  it('then keeps the rows with its triggers, and its down migration removes them and leaves the observations', async () => {
    await database.db
      .insertInto('price_observations')
      .values({ asset_id: btc, at: '2026-03-01T18:00:00Z', open: '105', high: '130', low: '104', close: '129', volume: '3' })
      .execute();
    await database.db
      .updateTable('price_observations')
      .set({ close: '5.3' })
      .where('asset_id', '=', exmc)
      .where('at', '=', new Date('2026-03-02T21:00:00Z'))
      .execute();
    const days = await priceDays(database);
    expect(days[0]).toEqual({
      symbol: 'BTC',
      day: '2026-03-01',
      open: '100',
      high: '130',
      low: '90',
      close: '129',
      volume: '10',
      observations: 2,
    });
    expect(days[3]).toEqual({
      symbol: 'EXMC',
      day: '2026-03-02',
      open: '5',
      high: '5.5',
      low: '4.9',
      close: '5.3',
      volume: '3000',
      observations: 2,
    });

    expect(await migrateTo(database.db, BEFORE)).toEqual([{ migrationName: PRICE_DAYS, direction: 'Down', status: 'Success' }]);
    const { rows } = await sql<{ found: boolean }>`select to_regclass('price_days') is not null as found`.execute(database.db);
    expect(rows).toEqual([{ found: false }]);
    const observations = await database.db
      .selectFrom('price_observations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(observations.n)).toBe(10);
  });
});
