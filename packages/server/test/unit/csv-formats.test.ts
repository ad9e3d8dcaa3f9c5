import { describe, expect, it } from 'vitest';
import { detectFormat, PRICE_CSV_FORMATS, UnknownCsvHeaderError, type PriceCsvFormat } from '../../src/prices/csv-formats.js';

const format = (id: PriceCsvFormat['id']) => PRICE_CSV_FORMATS.find((candidate) => candidate.id === id)!;

describe('detectFormat', () => {
  it('knows each supported header', () => {
    expect(detectFormat(['snapped_at', 'price', 'market_cap', 'total_volume']).id).toBe('coingecko');
    expect(detectFormat(['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume']).id).toBe('yahoo');
    expect(detectFormat(['at', 'open', 'high', 'low', 'close', 'volume']).id).toBe('plain');
  });

  it('compares names without surrounding spaces or case', () => {
    expect(detectFormat([' SNAPPED_AT', 'Price ', 'market_cap', 'Total_Volume']).id).toBe('coingecko');
    expect(detectFormat(['date', 'open', 'high', 'low', 'close', 'adj close', 'volume']).id).toBe('yahoo');
    expect(detectFormat(['AT', ' Open', 'High', 'Low', 'Close', 'Volume ']).id).toBe('plain');
  });

  it('refuses any other header, listing the ones it reads', () => {
    const listing =
      'The first line must be one of:\n' +
      '  snapped_at,price,market_cap,total_volume    (CoinGecko export)\n' +
      '  Date,Open,High,Low,Close,Adj Close,Volume    (Yahoo Finance download)\n' +
      '  at,open,high,low,close,volume    (plain CSV)';
    const unknown = [
      ['time', 'price'],
      // A known header with a column missing, one too many, or out of order.
      ['at', 'open', 'high', 'low', 'close'],
      ['at', 'open', 'high', 'low', 'close', 'volume', 'source'],
      ['at', 'close', 'high', 'low', 'open', 'volume'],
      ['Adj Close', 'Date', 'Open', 'High', 'Low', 'Close', 'Volume'],
    ];
    for (const header of unknown) {
      expect(() => detectFormat(header)).toThrowError(
        expect.objectContaining({
          name: 'UnknownCsvHeaderError',
          message: `The header ${JSON.stringify(header.join(','))} is not one this import reads. ${listing}`,
        }),
      );
    }
    expect(() => detectFormat(['time', 'price'])).toThrow(UnknownCsvHeaderError);
    expect(() => detectFormat(['time', 'price'])).toThrow(`The header "time,price" is not one this import reads. ${listing}`);
  });
});

describe('a CoinGecko export row', () => {
  const coingecko = format('coingecko');

  it('is one daily snapshot: the price as close, the 24-hour volume, market cap ignored', () => {
    expect(coingecko.read(['2024-01-01 00:00:00 UTC', '42261.0406175669', '827695372925.0626', '14011149952.879244'])).toEqual({
      kind: 'observation',
      observation: { at: new Date('2024-01-01T00:00:00.000Z'), close: '42261.0406175669', volume: '14011149952.879244' },
    });
    expect(coingecko.read(['2026-11-27 14:05:09 UTC', '91000', '', ''])).toEqual({
      kind: 'observation',
      observation: { at: new Date('2026-11-27T14:05:09.000Z'), close: '91000', volume: '' },
    });
  });

  it('names a snapped_at of another form, or a day that does not exist', () => {
    expect(coingecko.read(['2024-01-01T00:00:00Z', '1', '1', '1'])).toEqual({
      kind: 'bad',
      problem: 'snapped_at "2024-01-01T00:00:00Z" is not of the form "2024-01-01 00:00:00 UTC".',
    });
    expect(coingecko.read(['2026-02-30 00:00:00 UTC', '1', '1', '1'])).toEqual({
      kind: 'bad',
      problem: '2026-02-30 is not a day that exists.',
    });
  });

  it('names its columns as the file does', () => {
    expect(coingecko.columns).toEqual({ close: 'price', volume: 'total_volume' });
  });
});

describe('a Yahoo Finance row', () => {
  const yahoo = format('yahoo');

  it('is a trading day at 00:00 UTC, with Close, not Adj Close', () => {
    expect(yahoo.read(['2024-01-02', '10.5', '11', '10', '10.75', '10.70', '123456'])).toEqual({
      kind: 'observation',
      observation: { at: new Date('2024-01-02T00:00:00.000Z'), open: '10.5', high: '11', low: '10', close: '10.75', volume: '123456' },
    });
  });

  it('is skipped when every quote field is "null", and refused when only some are', () => {
    expect(yahoo.read(['2024-01-01', 'null', 'null', 'null', 'null', 'null', 'null'])).toEqual({ kind: 'skipped' });
    expect(yahoo.read(['2024-01-02', 'null', '11', '10', 'null', '10.7', '5'])).toEqual({
      kind: 'bad',
      problem: '"null" in Open, Close but not in the rest of the row.',
    });
    expect(yahoo.read(['2024-01-02', '1', '1', '1', '1', '1', 'null'])).toEqual({
      kind: 'bad',
      problem: '"null" in Volume but not in the rest of the row.',
    });
    expect(yahoo.skippedRowsAre).toBe('Yahoo "null" rows (days without a quote)');
  });

  it('names a Date that is not a day', () => {
    expect(yahoo.read(['01/02/2024', '1', '1', '1', '1', '1', '1'])).toEqual({
      kind: 'bad',
      problem: 'Date: "01/02/2024" is not a date in the form YYYY-MM-DD.',
    });
    expect(yahoo.read(['2023-02-29', '1', '1', '1', '1', '1', '1'])).toEqual({
      kind: 'bad',
      problem: 'Date: 2023-02-29 is not a day that exists.',
    });
  });
});

describe('a plain CSV row', () => {
  const plain = format('plain');

  it('is any instant with a zone, and the fields as written', () => {
    expect(plain.read(['2026-11-27T14:30:00+01:00', '1', '2', '0.5', '1.5', ''])).toEqual({
      kind: 'observation',
      observation: { at: new Date('2026-11-27T13:30:00.000Z'), open: '1', high: '2', low: '0.5', close: '1.5', volume: '' },
    });
    expect(plain.read(['2026-11-27T14:30:00.123Z', '', '', '', '91000.5', '3'])).toEqual({
      kind: 'observation',
      observation: { at: new Date('2026-11-27T14:30:00.123Z'), open: '', high: '', low: '', close: '91000.5', volume: '3' },
    });
  });

  it('names an instant without a zone, or one that does not exist', () => {
    expect(plain.read(['2026-11-27 14:30', '1', '1', '1', '1', '1'])).toEqual({
      kind: 'bad',
      problem: '"2026-11-27 14:30" is not an ISO-8601 instant such as "2026-02-09T00:00:00Z" (a time zone is required).',
    });
    expect(plain.read(['2026-02-30T00:00:00Z', '1', '1', '1', '1', '1'])).toEqual({
      kind: 'bad',
      problem: '2026-02-30 is not a day that exists.',
    });
    // Date.parse takes the year 0; the DateTime scalar does not, nor does the database.
    expect(plain.read(['0000-01-01T00:00:00Z', '1', '1', '1', '1', '1'])).toEqual({
      kind: 'bad',
      problem: '0000-01-01 is not a day that exists.',
    });
  });
});
