import { parseDate, parseDateTime } from '@minergraph/schema';
import type { ColumnNames, RawObservation } from './observation-rules.js';

/** What one CSV record says: an observation, a row the format marks as empty, or a problem. */
export type CsvRow = { kind: 'observation'; observation: RawObservation } | { kind: 'skipped' } | { kind: 'bad'; problem: string };

export interface PriceCsvFormat {
  id: 'coingecko' | 'yahoo' | 'plain';
  /** How the summary names it. */
  label: string;
  header: readonly string[];
  /** The header's names for the observation's fields, so a bad value is reported under its own column. */
  columns?: ColumnNames;
  /** Why rows were skipped, when the format has rows that carry no quote. */
  skippedRowsAre?: string;
  /** Reads a record that has exactly `header.length` fields. */
  read(fields: readonly string[]): CsvRow;
}

const COINGECKO_SNAPPED_AT = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/;

/**
 * CoinGecko's "Export data" CSV of a coin's history: one snapshot a day (the last row is often
 * today's, at the time of the export). It gives a single price, so open = high = low = close;
 * total_volume is the 24-hour volume at the snapshot; market_cap is not a price and is ignored.
 */
const coingecko: PriceCsvFormat = {
  id: 'coingecko',
  label: 'CoinGecko export',
  header: ['snapped_at', 'price', 'market_cap', 'total_volume'],
  columns: { close: 'price', volume: 'total_volume' },
  read([snappedAt, price, , totalVolume]) {
    const match = COINGECKO_SNAPPED_AT.exec(snappedAt!);
    if (!match) return bad(`snapped_at "${snappedAt}" is not of the form "2024-01-01 00:00:00 UTC".`);
    const at = instant(`${match[1]}T${match[2]}Z`);
    if (typeof at === 'string') return bad(at);
    return { kind: 'observation', observation: { at, close: price!, volume: totalVolume } };
  },
};

const YAHOO_QUOTE_FIELDS = ['Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'];

/**
 * Yahoo Finance's historical-data download: one row per trading day, dated in the exchange's
 * calendar and stored at 00:00 UTC of that day. Close is used, not Adj Close: Adj Close is
 * re-based for dividends every time one is paid, so it would change rows already stored.
 * Yahoo's Close is itself already adjusted for splits, though: a file downloaded after a
 * split holds pre-split days at post-split prices, which a recorded ratio change would then
 * divide a second time.
 * Yahoo writes "null" in every column for a day it has no quote for (a holiday, a gap in its
 * data); such a row says nothing, so it is skipped and counted rather than refused. A row
 * with only some "null"s is refused: it is broken, not empty.
 */
const yahoo: PriceCsvFormat = {
  id: 'yahoo',
  label: 'Yahoo Finance download',
  header: ['Date', ...YAHOO_QUOTE_FIELDS],
  columns: { open: 'Open', high: 'High', low: 'Low', close: 'Close', volume: 'Volume' },
  skippedRowsAre: 'Yahoo "null" rows (days without a quote)',
  read([date, open, high, low, close, adjClose, volume]) {
    const quote = [open, high, low, close, adjClose, volume];
    const nulls = quote.filter((value) => value === 'null').length;
    if (nulls === quote.length) return { kind: 'skipped' };
    if (nulls > 0) {
      const named = YAHOO_QUOTE_FIELDS.filter((_, index) => quote[index] === 'null');
      return bad(`"null" in ${named.join(', ')} but not in the rest of the row.`);
    }
    let day: string;
    try {
      day = parseDate(date);
    } catch (error) {
      return bad(`Date: ${(error as Error).message}`);
    }
    return { kind: 'observation', observation: { at: new Date(`${day}T00:00:00Z`), open, high, low, close: close!, volume } };
  },
};

/** MinerGraph's own layout: any instants, with a zone; only close is required. */
const plain: PriceCsvFormat = {
  id: 'plain',
  label: 'plain CSV',
  header: ['at', 'open', 'high', 'low', 'close', 'volume'],
  read([atText, open, high, low, close, volume]) {
    const at = instant(atText!);
    if (typeof at === 'string') return bad(at);
    return { kind: 'observation', observation: { at, open, high, low, close: close!, volume } };
  },
};

export const PRICE_CSV_FORMATS: readonly PriceCsvFormat[] = [coingecko, yahoo, plain];

export class UnknownCsvHeaderError extends Error {
  override name = 'UnknownCsvHeaderError';
  constructor(header: readonly string[]) {
    super(
      `The header ${JSON.stringify(header.join(','))} is not one this import reads. The first line must be one of:\n` +
        PRICE_CSV_FORMATS.map((format) => `  ${format.header.join(',')}    (${format.label})`).join('\n'),
    );
  }
}

/** The format whose header this is (names compared without surrounding spaces or case). */
export function detectFormat(header: readonly string[]): PriceCsvFormat {
  const names = header.map((name) => name.trim().toLowerCase());
  const format = PRICE_CSV_FORMATS.find(
    (candidate) => candidate.header.length === names.length && candidate.header.every((name, index) => name.toLowerCase() === names[index]),
  );
  if (!format) throw new UnknownCsvHeaderError(header);
  return format;
}

function bad(problem: string): CsvRow {
  return { kind: 'bad', problem };
}

const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * An instant, or why the text is not one: the DateTime scalar's rules (parseDateTime). The
 * common UTC form takes a shortcut that gives the same answers at a fraction of the cost, a
 * day that does not exist (2026-02-30) and the year 0 being what Date.parse would let through.
 */
function instant(text: string): Date | string {
  if (UTC_INSTANT.test(text) && !text.startsWith('0000')) {
    const at = new Date(text);
    if (at.getUTCDate() === (text.charCodeAt(8) - ZERO) * 10 + text.charCodeAt(9) - ZERO) return at;
  }
  try {
    return parseDateTime(text);
  } catch (error) {
    return (error as Error).message;
  }
}

const ZERO = 48;
