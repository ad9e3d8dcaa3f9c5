import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/connect.js';
import { UnknownCsvHeaderError } from '../src/prices/csv-formats.js';
import { importPriceCsv, PriceFileRejectedError } from '../src/prices/import.js';
import { insertAsset } from '../src/repositories/asset.repository.js';
import { writeSyntheticSeries } from '../bench/synthetic-series.js';
import { createTestDatabase, engine, preparePgliteDataDir, priceDays, snapshot, type TestDatabase } from '@minergraph/test-support';
import { runCli, type CliRun } from './support/process.js';

let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase('seeded');
  dir = mkdtempSync(join(tmpdir(), 'minergraph-prices-import-'));
});

afterAll(async () => {
  await database.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function csv(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
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

async function days(symbol: string) {
  return (await priceDays(database)).filter((day) => day.symbol === symbol).map(({ symbol: _, ...day }) => day);
}

const row = (at: string, open: string, high: string, low: string, close: string, volume: string | null, source: string | null = null) => ({
  at,
  open,
  high,
  low,
  close,
  volume,
  source,
});

describe(`prices import on ${engine}`, () => {
  it("reads CoinGecko's export: one price a day as open = high = low = close, total_volume as the volume", async () => {
    await insertAsset(database.db, { symbol: 'CGK', name: 'CoinGecko format', kind: 'CRYPTO' });
    const file = csv('coingecko.csv', [
      'snapped_at,price,market_cap,total_volume',
      '2024-01-01 00:00:00 UTC,42261.0406175669,827596236151.196,14305769170.9498',
      '2024-01-02 00:00:00 UTC,44179.920,865012345678.1,',
      '2024-01-03 13:45:10 UTC,44950.5,880000000000,19000000000',
    ]);

    const summary = await importPriceCsv(database, {
      file,
      symbol: 'cgk',
      source: { title: 'CoinGecko BTC export', url: 'https://www.coingecko.com/en/coins/bitcoin', publisher: 'CoinGecko' },
    });

    expect({ ...summary, format: summary.format.id }).toEqual({
      format: 'coingecko',
      symbol: 'CGK',
      rows: 3,
      skipped: 0,
      inserted: 3,
      updated: 0,
      unchanged: 0,
    });
    expect(await stored('CGK')).toEqual([
      row(
        '2024-01-01T00:00:00.000Z',
        '42261.0406175669',
        '42261.0406175669',
        '42261.0406175669',
        '42261.0406175669',
        '14305769170.9498',
        'CoinGecko BTC export',
      ),
      row('2024-01-02T00:00:00.000Z', '44179.92', '44179.92', '44179.92', '44179.92', null, 'CoinGecko BTC export'),
      row('2024-01-03T13:45:10.000Z', '44950.5', '44950.5', '44950.5', '44950.5', '19000000000', 'CoinGecko BTC export'),
    ]);
  });

  it('reads a Yahoo Finance download at 00:00 UTC of each day, storing Close (not Adj Close) and skipping its "null" days with a count', async () => {
    await insertAsset(database.db, { symbol: 'YHO', name: 'Yahoo format', kind: 'EQUITY' });
    const file = csv('yahoo.csv', [
      'Date,Open,High,Low,Close,Adj Close,Volume',
      '2025-11-13,1.010000,1.050000,0.980000,1.020000,0.995000,1200300',
      '2025-11-14,null,null,null,null,null,null',
      '2025-11-17,0.949999988079071,0.99,0.9,0.95,0.93,0',
    ]);

    const summary = await importPriceCsv(database, { file, symbol: 'YHO' });

    expect({ ...summary, format: summary.format.id }).toEqual({
      format: 'yahoo',
      symbol: 'YHO',
      rows: 2,
      skipped: 1,
      inserted: 2,
      updated: 0,
      unchanged: 0,
    });
    expect(await stored('YHO')).toEqual([
      row('2025-11-13T00:00:00.000Z', '1.01', '1.05', '0.98', '1.02', '1200300'),
      row('2025-11-17T00:00:00.000Z', '0.949999988079071', '0.99', '0.9', '0.95', '0'),
    ]);
  });

  it('reads the plain layout: instants in any zone, open, high, low and volume optional', async () => {
    await insertAsset(database.db, { symbol: 'PLN', name: 'Plain format', kind: 'CRYPTO' });
    const file = csv('plain.csv', [
      'at,open,high,low,close,volume',
      '2026-02-09T10:00:00+01:00,,,,70727,',
      '2026-02-09T10:00:00Z,70000,71000.50,69000,70500.25,12.5',
      '',
      '2026-02-09T11:00:00.250Z,70500.25,,,70400,0.00000001',
    ]);

    const summary = await importPriceCsv(database, { file, symbol: 'PLN' });

    expect({ ...summary, format: summary.format.id }).toEqual({
      format: 'plain',
      symbol: 'PLN',
      rows: 3,
      skipped: 0,
      inserted: 3,
      updated: 0,
      unchanged: 0,
    });
    expect(await stored('PLN')).toEqual([
      row('2026-02-09T09:00:00.000Z', '70727', '70727', '70727', '70727', null),
      row('2026-02-09T10:00:00.000Z', '70000', '71000.5', '69000', '70500.25', '12.5'),
      row('2026-02-09T11:00:00.250Z', '70500.25', '70500.25', '70400', '70400', '0.00000001'),
    ]);
  });

  it('refuses prices and volumes beyond what recordPrices takes, by the same rule and message', async () => {
    await insertAsset(database.db, { symbol: 'HUGE', name: 'Huge values', kind: 'CRYPTO' });
    const file = csv('huge.csv', [
      'at,open,high,low,close,volume',
      `2026-01-01T00:00:00Z,1,2,0.5,1.${'0'.repeat(18)}1,10`, // 2: 19 decimals
      `2026-01-01T01:00:00Z,1,${'9'.repeat(16)},0.5,1.5,10`, // 3: 16 digits before the point
      `2026-01-01T02:00:00Z,1,2,0.5,1.5,${'9'.repeat(21)}`, // 4: a volume of 21 digits
      `2026-01-01T03:00:00Z,1,${'9'.repeat(15)}.${'9'.repeat(18)},0.${'0'.repeat(17)}1,1.5,${'9'.repeat(20)}`, // 5: the largest and smallest that fit
    ]);
    const before = await snapshot(database);

    const error = (await importPriceCsv(database, { file, symbol: 'HUGE' }).catch((e: unknown) => e)) as PriceFileRejectedError;

    expect(error).toBeInstanceOf(PriceFileRejectedError);
    expect(error.problems).toEqual([
      { line: 2, message: 'close has 19 decimals; a price has at most 18.' },
      { line: 3, message: 'high has 16 digits before the decimal point; a price has at most 15.' },
      { line: 4, message: 'volume has 21 digits before the decimal point; a volume has at most 20.' },
    ]);
    expect(await snapshot(database)).toEqual(before);
  });

  it('refuses a file with bad lines, naming the first 20 by line number and counting the rest, and writes nothing', async () => {
    await insertAsset(database.db, { symbol: 'BAD', name: 'Bad lines', kind: 'CRYPTO' });
    const good = Array.from(
      { length: 30 },
      (_, i) => `2026-01-01T${String(i % 24).padStart(2, '0')}:${i < 24 ? '00' : '30'}:00Z,1,2,0.5,1.5,10`,
    );
    const file = csv('bad.csv', [
      'at,open,high,low,close,volume',
      ...good.slice(0, 3), // lines 2-4
      '2026-01-01T05:00:00Z,2,1,3,1.5,-5', // 5: high below low, negative volume
      '2026-01-01T06:00:00Z,1,2,0.5,0,10', // 6: close 0
      '2026-02-30T00:00:00Z,1,2,0.5,1.5,10', // 7: no such day
      '2026-01-01T07:00:00,1,2,0.5,1.5,10', // 8: no zone
      '2026-01-01T08:00:00Z,1e3,2,0.5,1.5,10', // 9: exponent
      '2026-01-01T09:00:00Z,1,2,0.5,1.5', // 10: a field short
      '2026-01-01T00:00:00Z,1,2,0.5,1.5,10', // 11: same instant as line 2
      '2026-01-01T10:00:00Z,1,1.2,0.5,1.5,10', // 12: high below close
      '2026-01-01T11:00:00Z,1,2,1.2,1.5,10', // 13: low above open
      '2026-01-01T12:00:00Z,,,,,10', // 14: no close
      ...Array.from({ length: 15 }, (_, i) => `2026-01-02T${String(i).padStart(2, '0')}:00:00Z,1,2,0.5,-1.5,10`), // 15-29
    ]);
    const before = await snapshot(database);

    const attempt = importPriceCsv(database, { file, symbol: 'BAD' });

    await expect(attempt).rejects.toThrow(PriceFileRejectedError);
    const error = (await attempt.catch((e: unknown) => e)) as PriceFileRejectedError;
    expect(error.problemCount).toBe(25);
    expect(error.problems).toEqual([
      { line: 5, message: 'volume must not be negative; it was -5. high (1) is below low (3).' },
      { line: 6, message: 'close must be greater than 0; it was 0.' },
      { line: 7, message: '2026-02-30 is not a day that exists.' },
      { line: 8, message: '"2026-01-01T07:00:00" is not an ISO-8601 instant such as "2026-02-09T00:00:00Z" (a time zone is required).' },
      {
        line: 9,
        message: 'open "1e3" is not a plain decimal (digits with an optional "-" and "."; no exponent, no thousands separators).',
      },
      { line: 10, message: '5 fields; the header has 6.' },
      { line: 11, message: 'the same instant (2026-01-01T00:00:00.000Z) as line 2.' },
      { line: 12, message: 'high (1.2) is below the open or close.' },
      { line: 13, message: 'low (1.2) is above the open or close.' },
      { line: 14, message: 'close is required.' },
      ...Array.from({ length: 10 }, (_, i) => ({ line: 15 + i, message: 'close must be greater than 0; it was -1.5.' })),
    ]);
    expect(error.message).toContain(`${file}: 25 bad lines; nothing was imported.\n  line 5: volume must not be negative`);
    expect(error.message).toContain('\n  … and 5 more.');
    expect(await snapshot(database)).toEqual(before);
  });

  it("names a bad value by its own file's column: CoinGecko's price and total_volume, Yahoo's Close and High", async () => {
    await insertAsset(database.db, { symbol: 'CGX', name: 'CoinGecko refused', kind: 'CRYPTO' });
    const coingecko = csv('coingecko-bad.csv', [
      'snapped_at,price,market_cap,total_volume',
      '2024-01-01 00:00:00 UTC,42261.04,827596236151.196,14305769170.9498',
      '2024-01-02 00:00:00 UTC,-44179.92,865012345678.1,',
      '2024-01-03 00:00:00 UTC,,880000000000,19000000000',
      '2024-01-04 00:00:00 UTC,4.5e4,880000000000,-1',
    ]);
    const refusedCoinGecko = await importPriceCsv(database, { file: coingecko, symbol: 'CGX' }).catch((error: unknown) => error);
    expect(refusedCoinGecko).toBeInstanceOf(PriceFileRejectedError);
    expect((refusedCoinGecko as PriceFileRejectedError).problems).toEqual([
      { line: 3, message: 'price must be greater than 0; it was -44179.92.' },
      { line: 4, message: 'price is required.' },
      {
        line: 5,
        message:
          'price "4.5e4" is not a plain decimal (digits with an optional "-" and "."; no exponent, no thousands separators). total_volume must not be negative; it was -1.',
      },
    ]);

    const yahoo = csv('yahoo-bad.csv', [
      'Date,Open,High,Low,Close,Adj Close,Volume',
      '2025-11-13,1.01,1.05,0.98,0,0.995,1200300',
      '2025-11-14,1.01,1.00,0.98,1.02,0.995,1200300',
    ]);
    const refusedYahoo = await importPriceCsv(database, { file: yahoo, symbol: 'CGX' }).catch((error: unknown) => error);
    expect((refusedYahoo as PriceFileRejectedError).problems).toEqual([
      { line: 2, message: 'Close must be greater than 0; it was 0.' },
      { line: 3, message: 'High (1) is below the Open or Close.' },
    ]);
    expect(await stored('CGX')).toEqual([]);
  });

  it('refuses a header it does not know, listing the three it reads', async () => {
    const file = csv('unknown.csv', ['time,price', '2026-01-01T00:00:00Z,1']);

    const attempt = importPriceCsv(database, { file, symbol: 'BTC' });

    await expect(attempt).rejects.toThrow(UnknownCsvHeaderError);
    await expect(attempt).rejects.toThrow(
      'The header "time,price" is not one this import reads. The first line must be one of:\n' +
        '  snapped_at,price,market_cap,total_volume    (CoinGecko export)\n' +
        '  Date,Open,High,Low,Close,Adj Close,Volume    (Yahoo Finance download)\n' +
        '  at,open,high,low,close,volume    (plain CSV)',
    );
  });

  it('a first import that repeats an instant is refused, naming both lines, and writes nothing', async () => {
    await insertAsset(database.db, { symbol: 'TWICE', name: 'Repeated instant', kind: 'CRYPTO' });
    const file = csv('twice.csv', [
      'at,open,high,low,close,volume',
      '2026-03-01T00:00:00Z,,,,1,',
      '2026-03-01T01:00:00Z,,,,2,',
      '2026-03-01T00:00:00Z,,,,3,',
    ]);
    const before = await snapshot(database);

    const error = (await importPriceCsv(database, { file, symbol: 'TWICE' }).catch((e: unknown) => e)) as PriceFileRejectedError;

    expect(error).toBeInstanceOf(PriceFileRejectedError);
    expect([error.problemCount, error.problems]).toEqual([
      1,
      [{ line: 4, message: 'the same instant (2026-03-01T00:00:00.000Z) as line 2.' }],
    ]);
    expect(await snapshot(database)).toEqual(before);
  });

  it("a first import that continues a day already begun stores every row, and that day's candle spans both imports", async () => {
    await insertAsset(database.db, { symbol: 'DAYS', name: 'Days rolled up', kind: 'CRYPTO' });
    await importPriceCsv(database, {
      file: csv('days-1.csv', ['at,open,high,low,close,volume', '2026-03-01T00:00:00Z,10,12,9,11,5', '2026-03-01T01:00:00Z,11,13,10,12,']),
      symbol: 'DAYS',
    });

    const later = csv('days-2.csv', [
      'at,open,high,low,close,volume',
      '2026-03-01T02:00:00Z,12,20,11,19,1',
      '2026-03-02T00:00:00Z,19,19,18,18.5,2',
    ]);
    const summary = await importPriceCsv(database, { file: later, symbol: 'DAYS' });

    expect([summary.inserted, summary.updated, summary.unchanged]).toEqual([2, 0, 0]);
    expect(await stored('DAYS')).toEqual([
      row('2026-03-01T00:00:00.000Z', '10', '12', '9', '11', '5'),
      row('2026-03-01T01:00:00.000Z', '11', '13', '10', '12', null),
      row('2026-03-01T02:00:00.000Z', '12', '20', '11', '19', '1'),
      row('2026-03-02T00:00:00.000Z', '19', '19', '18', '18.5', '2'),
    ]);
    expect(await days('DAYS')).toEqual([
      { day: '2026-03-01', open: '10', high: '20', low: '9', close: '19', volume: '6', observations: 3 },
      { day: '2026-03-02', open: '19', high: '19', low: '18', close: '18.5', volume: '2', observations: 1 },
    ]);
  });

  it('a file out of time order that meets stored rows is merged: new rows inserted, a changed one updated, an equal one left', async () => {
    await insertAsset(database.db, { symbol: 'ORDER', name: 'Out of order', kind: 'CRYPTO' });
    await importPriceCsv(database, {
      file: csv('order-1.csv', ['at,open,high,low,close,volume', '2026-04-01T01:00:00Z,,,,1,', '2026-04-01T02:00:00Z,,,,2,']),
      symbol: 'ORDER',
    });

    // Nothing is stored from its first instant on, so its rows start out as new ones.
    const unordered = csv('order-2.csv', [
      'at,open,high,low,close,volume',
      '2026-04-01T05:00:00Z,,,,5,',
      '2026-04-01T01:00:00Z,,,,1.5,',
      '2026-04-01T02:00:00Z,,,,2,',
      '2026-04-01T03:00:00Z,,,,3,',
    ]);
    const summary = await importPriceCsv(database, { file: unordered, symbol: 'ORDER' });

    expect({ rows: summary.rows, inserted: summary.inserted, updated: summary.updated, unchanged: summary.unchanged }).toEqual({
      rows: 4,
      inserted: 2,
      updated: 1,
      unchanged: 1,
    });
    expect(await stored('ORDER')).toEqual([
      row('2026-04-01T01:00:00.000Z', '1.5', '1.5', '1.5', '1.5', null),
      row('2026-04-01T02:00:00.000Z', '2', '2', '2', '2', null),
      row('2026-04-01T03:00:00.000Z', '3', '3', '3', '3', null),
      row('2026-04-01T05:00:00.000Z', '5', '5', '5', '5', null),
    ]);
    expect(await days('ORDER')).toEqual([
      { day: '2026-04-01', open: '1.5', high: '5', low: '1.5', close: '5', volume: null, observations: 4 },
    ]);
  });

  it('importing the same file again changes nothing; a changed row is the only one rewritten', async () => {
    await insertAsset(database.db, { symbol: 'AGN', name: 'Again', kind: 'CRYPTO' });
    const lines = [
      'at,open,high,low,close,volume',
      '2026-01-01T00:00:00Z,1,2,0.5,1.5,10',
      '2026-01-01T01:00:00Z,1.5,2,1,1.75,',
      '2026-01-01T02:00:00Z,,,,1.8,3',
    ];
    const file = csv('again.csv', lines);
    await importPriceCsv(database, { file, symbol: 'AGN' });
    const first = await stored('AGN');
    const { rows: versions } = await sql<{ xmin: string }>`
      select o.xmin::text from price_observations o join assets a on a.id = o.asset_id where a.symbol = 'AGN' order by o.at`.execute(
      database.db,
    );

    const again = await importPriceCsv(database, { file, symbol: 'AGN' });

    expect([again.inserted, again.updated, again.unchanged]).toEqual([0, 0, 3]);
    expect(await stored('AGN')).toEqual(first);
    // Unchanged rows were not even rewritten: they are the same row versions.
    const { rows: after } = await sql<{ xmin: string }>`
      select o.xmin::text from price_observations o join assets a on a.id = o.asset_id where a.symbol = 'AGN' order by o.at`.execute(
      database.db,
    );
    expect(after).toEqual(versions);

    const changed = csv('again-changed.csv', [...lines.slice(0, 3), '2026-01-01T02:00:00Z,,,,1.80,4', '2026-01-01T03:00:00Z,,,,1.9,']);
    const third = await importPriceCsv(database, { file: changed, symbol: 'AGN' });
    expect([third.inserted, third.updated, third.unchanged]).toEqual([1, 1, 2]);
  });

  it("a large import leaves the planner's statistics of the price tables up to date", async () => {
    await insertAsset(database.db, { symbol: 'BULK', name: 'Bulk', kind: 'CRYPTO' });
    const file = await writeSyntheticSeries(dir, 10_000);
    expect((await importPriceCsv(database, { file, symbol: 'BULK' })).inserted).toBe(10_000);
    // ANALYZE reads every row of tables this small, so its row counts are exact.
    const { rows } = await sql<{ table: string; estimated: number; counted: number }>`
      select c.relname as table, c.reltuples::float8 as estimated,
             (case c.relname when 'price_days' then (select count(*) from price_days) else (select count(*) from price_observations) end)::float8 as counted
      from pg_class c where c.relname in ('price_days', 'price_observations') and c.relkind = 'r' order by c.relname`.execute(database.db);
    expect(rows.map((row) => [row.table, row.estimated])).toEqual([
      ['price_days', rows[0]!.counted],
      ['price_observations', rows[1]!.counted],
    ]);
    expect(rows[1]!.counted).toBeGreaterThan(10_000);
  });
});

describe(`pnpm minergraph prices import on ${engine}`, () => {
  let env: Record<string, string | undefined>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = join(dir, 'cli-data');
    env = engine === 'postgres' ? { DATABASE_URL: database.url } : { DATABASE_URL: '', MINERGRAPH_DATA_DIR: dataDir };
    if (engine === 'pglite') await preparePgliteDataDir(dataDir);
  });

  /** The process's own database: on PGlite, a data directory only one process may open at a time. */
  async function countObservations(symbol: string): Promise<number> {
    const handle = engine === 'postgres' ? database : await openDatabase({ dataDir });
    try {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from price_observations o join assets a on a.id = o.asset_id where a.symbol = ${symbol}`.execute(
        handle.db,
      );
      return rows[0]!.n;
    } finally {
      if (handle !== database) await handle.close();
    }
  }

  it('prints the summary on stdout and exits 0; a file with bad lines exits 2 naming them and writes nothing', async () => {
    const good = csv('cli-good.csv', [
      'at,open,high,low,close,volume',
      '2020-01-01T00:00:00Z,,,,7200.17,',
      '2020-01-02T00:00:00Z,,,,6985.47,',
    ]);
    const bad = csv('cli-bad.csv', [
      'at,open,high,low,close,volume',
      '2020-01-03T00:00:00Z,,,,7344.88,',
      '2020-01-04T00:00:00Z,,,,-1,',
      '2020-01-05',
      '2020-01-03T00:00:00Z,,,,7410.66,',
    ]);

    const seeded = await countObservations('BTC'); // the seed's BTC closes (data/prices/BTC.yaml)
    const imported = runCli(['prices', 'import', good, '--symbol', 'BTC'], env);
    expect(await imported.exited).toBe(0);
    expect(imported.stdout()).toBe(`BTC: 2 rows from ${good} (plain CSV): 2 inserted, 0 updated, 0 unchanged.\n`);
    expect(await countObservations('BTC')).toBe(seeded + 2);

    const refused = runCli(['prices', 'import', bad, '--symbol', 'BTC'], env);
    expect(await refused.exited).toBe(2);
    expect(refused.stdout()).toBe('');
    expect(refused.stderr()).toContain(
      `${bad}: 3 bad lines; nothing was imported.\n` +
        '  line 3: close must be greater than 0; it was -1.\n' +
        '  line 4: 1 field; the header has 6.\n' +
        '  line 5: the same instant (2020-01-03T00:00:00.000Z) as line 2.\n',
    );
    expect(await countObservations('BTC')).toBe(seeded + 2); // the seed's and the good file's two: the bad file wrote nothing
  });

  it('killed mid-way, an import leaves the database as it was', async () => {
    const before = await countObservations('BTC');
    const file = await writeSyntheticSeries(dir, 200_000);

    const run = runCli(['prices', 'import', file, '--symbol', 'BTC'], env);
    await stderrContains(run, 'read 100,000 rows');
    run.child.kill('SIGKILL');
    await run.exited;

    expect(run.child.signalCode).toBe('SIGKILL');
    expect(run.stdout()).toBe('');
    // PGlite's lock outlives a killed holder for 15 s; this test knows the holder is gone.
    if (engine === 'pglite') rmSync(`${dataDir}.lock`, { recursive: true, force: true });
    expect(await countObservations('BTC')).toBe(before);
  });
});

async function stderrContains(run: CliRun, text: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.stderr().includes(text)) {
    if (run.child.exitCode !== null) throw new Error(`the import ended before "${text}": ${run.stderr()}${run.stdout()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" in time: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
