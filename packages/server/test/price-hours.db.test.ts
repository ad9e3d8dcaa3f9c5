import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../src/db/migrate.js';
import { createTestDatabase, engine, priceDays, priceHours, type TestDatabase } from '@minergraph/test-support';

// The price_hours migration fills one row per asset and UTC hour from the observations already
// recorded, then one trigger function keeps both rollups: the hours from the observations and
// the days from the hours. The days must stay what recomputing them from the observations gave.

const BEFORE = '2026-11-28T00-40_product-aggregate';
const PRICE_HOURS = '2026-11-28T00-50_price-hours';

let database: TestDatabase;
let btc: string;
let exmc: string;

const point = (asset_id: string, at: string, open: string, high: string, low: string, close: string, volume: string | null) => ({
  asset_id,
  at,
  open,
  high,
  low,
  close,
  volume,
});

/** price_days as the trigger before this migration computed it: each day from its observations. */
async function daysFromObservations() {
  const { rows } = await sql<Record<string, unknown>>`
    select a.symbol, (o.at at time zone 'UTC')::date::text as day,
           ((array_agg(o.open order by o.at))[1])::text as open, max(o.high)::text as high, min(o.low)::text as low,
           ((array_agg(o.close order by o.at desc))[1])::text as close, sum(o.volume)::text as volume, count(*)::integer as observations
    from price_observations o join assets a on a.id = o.asset_id
    group by a.symbol, (o.at at time zone 'UTC')::date
    order by a.symbol, day`.execute(database.db);
  return rows;
}

beforeAll(async () => {
  database = await createTestDatabase('empty');
  await migrateTo(database.db, BEFORE);
  const asset = async (symbol: string, name: string, kind: 'CRYPTO' | 'EQUITY') =>
    (await database.db.insertInto('assets').values({ symbol, name, kind }).returning('id').executeTakeFirstOrThrow()).id;
  btc = await asset('BTC', 'Bitcoin', 'CRYPTO');
  // A fictional equity: the figures are test data, not facts about a company.
  exmc = await asset('EXMC', 'Example Mining Corp.', 'EQUITY');
  // Out of time order, so that open and close must come from `at`, not from the order of rows.
  await database.db
    .insertInto('price_observations')
    .values([
      // BTC, 10:00 to 11:00 on 2 March: the first and last millisecond of the hour, and one without volume.
      point(btc, '2026-03-02T10:59:59.999Z', '103', '104', '101', '102.5', '0.25'),
      point(btc, '2026-03-02T10:00:00Z', '100', '101', '99', '100.5', '1'),
      point(btc, '2026-03-02T10:30:00Z', '100.5', '107', '100', '103', null),
      // 11:00 exactly opens the next hour; 12:40 at +02:00 is 10:40 UTC, the hour before.
      point(btc, '2026-03-02T11:00:00Z', '102.5', '103', '102', '102.75', '2'),
      point(btc, '2026-03-02T12:40:00+02:00', '101', '108', '98.5', '101', '0.5'),
      // Before date_bin's origin (2001-01-01): the hour is still the one the instant falls in.
      point(btc, '1999-12-31T23:30:00Z', '7', '8', '6', '7.5', null),
      // EXMC in the same hour as BTC's first, kept apart by asset.
      point(exmc, '2026-03-02T10:15:00Z', '5', '5.5', '4.9', '5.25', '1000'),
    ])
    .execute();
});

afterAll(async () => {
  await database?.destroy();
});

describe('the price_hours migration', () => {
  it('back-fills one row per asset and UTC hour: first open, highest high, lowest low, last close, summed volume, count', async () => {
    expect(await migrateTo(database.db, PRICE_HOURS)).toEqual([{ migrationName: PRICE_HOURS, direction: 'Up', status: 'Success' }]);
    expect(await priceHours(database)).toEqual([
      { symbol: 'BTC', start: '1999-12-31T23:00Z', open: '7', high: '8', low: '6', close: '7.5', volume: null, observations: 1 },
      // Volume sums the observations that have one: 1 + 0.25 + 0.5.
      { symbol: 'BTC', start: '2026-03-02T10:00Z', open: '100', high: '108', low: '98.5', close: '102.5', volume: '1.75', observations: 4 },
      { symbol: 'BTC', start: '2026-03-02T11:00Z', open: '102.5', high: '103', low: '102', close: '102.75', volume: '2', observations: 1 },
      { symbol: 'EXMC', start: '2026-03-02T10:00Z', open: '5', high: '5.5', low: '4.9', close: '5.25', volume: '1000', observations: 1 },
    ]);
    expect(await priceDays(database)).toEqual(await daysFromObservations());
  });

  it('then keeps the hours from the observations and the days from the hours, as the days were kept from the observations', async () => {
    await database.db
      .insertInto('price_observations')
      .values([
        // A new first and last hour of 2 March, a new high in 10:00, and a new day before midnight UTC.
        point(btc, '2026-03-02T00:00:00Z', '90', '91', '89', '90.5', '3'),
        point(btc, '2026-03-02T23:59:59.999Z', '110', '111', '109', '110.5', null),
        point(btc, '2026-03-02T10:45:00Z', '104', '120', '103', '104.5', '0.5'),
        point(btc, '2026-03-03T00:30:00+01:00', '111', '112', '110', '111.25', '4'),
      ])
      .execute();
    // An update of the last observation of 10:00 moves that hour's close and low, and the day's low.
    await database.db
      .updateTable('price_observations')
      .set({ close: '99', low: '80' })
      .where('asset_id', '=', btc)
      .where('at', '=', new Date('2026-03-02T10:59:59.999Z'))
      .execute();
    const btcHours = (await priceHours(database)).filter((hour) => hour.symbol === 'BTC' && hour.start.startsWith('2026'));
    expect(btcHours).toEqual([
      { symbol: 'BTC', start: '2026-03-02T00:00Z', open: '90', high: '91', low: '89', close: '90.5', volume: '3', observations: 1 },
      { symbol: 'BTC', start: '2026-03-02T10:00Z', open: '100', high: '120', low: '80', close: '99', volume: '2.25', observations: 5 },
      { symbol: 'BTC', start: '2026-03-02T11:00Z', open: '102.5', high: '103', low: '102', close: '102.75', volume: '2', observations: 1 },
      // 00:30 at +01:00 is 23:30 UTC on 2 March.
      { symbol: 'BTC', start: '2026-03-02T23:00Z', open: '111', high: '112', low: '109', close: '110.5', volume: '4', observations: 2 },
    ]);
    const days = await priceDays(database);
    expect(days).toEqual(await daysFromObservations());
    expect(days.filter((day) => day.day === '2026-03-02')).toEqual([
      { symbol: 'BTC', day: '2026-03-02', open: '90', high: '120', low: '80', close: '110.5', volume: '11.25', observations: 9 },
      { symbol: 'EXMC', day: '2026-03-02', open: '5', high: '5.5', low: '4.9', close: '5.25', volume: '1000', observations: 1 },
    ]);

    // Deleting an asset deletes its hours with its observations and days.
    await database.db.deleteFrom('assets').where('id', '=', exmc).execute();
    expect((await priceHours(database)).map((hour) => hour.symbol)).toEqual(['BTC', 'BTC', 'BTC', 'BTC', 'BTC']);
  });

  it('goes down to the trigger that kept the days from the observations, which keeps them still', async () => {
    expect(await migrateTo(database.db, BEFORE)).toEqual([{ migrationName: PRICE_HOURS, direction: 'Down', status: 'Success' }]);
    const { rows } = await sql<{ found: boolean }>`select to_regclass('price_hours') is not null as found`.execute(database.db);
    expect(rows).toEqual([{ found: false }]);
    await database.db
      .insertInto('price_observations')
      .values(point(btc, '2026-03-02T12:00:00Z', '95', '130', '70', '96', '1'))
      .execute();
    const days = await priceDays(database);
    expect(days).toEqual(await daysFromObservations());
    expect(days.find((day) => day.day === '2026-03-02')).toMatchObject({ high: '130', low: '70', observations: 10 });

    // And up again: the hours back-filled, the new observation among them.
    await migrateToLatest(database.db);
    expect((await priceHours(database)).find((hour) => hour.start === '2026-03-02T12:00Z')).toEqual({
      symbol: 'BTC',
      start: '2026-03-02T12:00Z',
      open: '95',
      high: '130',
      low: '70',
      close: '96',
      volume: '1',
      observations: 1,
    });
  });
});

describe.runIf(engine === 'postgres')('two transactions writing one asset at once', () => {
  it('leave hours and days that count both: the second waits for the first, then reads its rows', async () => {
    await migrateToLatest(database.db);
    const { id } = await database.db
      .insertInto('assets')
      .values({ symbol: 'TWO', name: 'Two writers', kind: 'CRYPTO' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const first = new pg.Client({ connectionString: database.url });
    const second = new pg.Client({ connectionString: database.url });
    await Promise.all([first.connect(), second.connect()]);
    const insert = (client: pg.Client, at: string, price: string, volume: string) =>
      client.query('insert into price_observations (asset_id, at, open, high, low, close, volume) values ($1, $2, $3, $3, $3, $3, $4)', [
        id,
        at,
        price,
        volume,
      ]);
    try {
      await first.query('begin');
      await insert(first, '2026-05-01T10:05:00Z', '100', '1');
      await second.query('begin');
      // Same hour and day, not yet able to see the first's uncommitted row.
      const secondInsert = insert(second, '2026-05-01T10:10:00Z', '90', '2');
      let secondDone = false;
      void secondInsert.then(() => {
        secondDone = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(secondDone).toBe(false);
      await first.query('commit');
      await secondInsert;
      await second.query('commit');
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
    expect((await priceHours(database)).filter((hour) => hour.symbol === 'TWO')).toEqual([
      { symbol: 'TWO', start: '2026-05-01T10:00Z', open: '100', high: '100', low: '90', close: '90', volume: '3', observations: 2 },
    ]);
    expect((await priceDays(database)).filter((day) => day.symbol === 'TWO')).toEqual([
      { symbol: 'TWO', day: '2026-05-01', open: '100', high: '100', low: '90', close: '90', volume: '3', observations: 2 },
    ]);
  });
});
