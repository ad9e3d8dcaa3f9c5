import { excerpt, isPlainDecimal, limitProblem, PRICE_LIMIT, VOLUME_LIMIT } from '@minergraph/schema';
import type { NewPricePoint } from '../repositories/asset.repository.js';
import { canonicalText, compareCanonical, isNegative, isZero } from './decimal-text.js';

/** One price observation as a file or an API gives it: decimals as text, any of them possibly missing. */
export interface RawObservation {
  at: Date;
  open?: string | null | undefined;
  high?: string | null | undefined;
  low?: string | null | undefined;
  close: string;
  volume?: string | null | undefined;
}

/** What is wrong with one field of an observation. */
export interface ObservationProblem {
  field: 'at' | 'open' | 'high' | 'low' | 'close' | 'volume';
  message: string;
}

/** What a source calls each field, for messages in its own terms (CoinGecko's close is `price`). */
export type ColumnNames = Partial<Record<ObservationProblem['field'], string>>;

export type CheckedObservation = { ok: true; point: NewPricePoint } | { ok: false; problems: ObservationProblem[] };

/** The problems of one observation as one sentence, for a line of a file. */
export function describeProblems(problems: readonly ObservationProblem[]): string {
  return problems.map((problem) => problem.message).join(' ');
}

/**
 * The rules of the recordPrices mutation, for one observation: prices greater than 0 and
 * within PRICE_LIMIT, volume not negative and within VOLUME_LIMIT, and a high and low that
 * bound the open and close. A single quote becomes
 * open = high = low = close, as recordPrices stores it. Every problem is named at once.
 */
export function checkObservation(raw: RawObservation, columns: ColumnNames = {}): CheckedObservation {
  // A million lines a file pass through here: no closure, and no message text unless a rule is broken.
  const problems: ObservationProblem[] = [];
  const close = price(problems, 'close', columns, raw.close);
  if (isMissing(raw.close)) problems.push({ field: 'close', message: `${nameOf(columns, 'close')} is required.` });
  const givenOpen = price(problems, 'open', columns, raw.open);
  const givenHigh = price(problems, 'high', columns, raw.high);
  const givenLow = price(problems, 'low', columns, raw.low);
  // Prices in hand (each absent or good): only now can their order be checked.
  const pricesReadable = problems.length === 0;
  const volume = isMissing(raw.volume) ? null : decimal(problems, 'volume', columns, raw.volume!);
  const volumeBeyond = volume === null ? null : limitProblem(VOLUME_LIMIT, nameOf(columns, 'volume'), volume);
  if (volumeBeyond) problems.push({ field: 'volume', message: volumeBeyond });
  else if (volume !== null && isNegative(volume))
    problems.push({ field: 'volume', message: `${nameOf(columns, 'volume')} must not be negative; it was ${volume}.` });

  if (pricesReadable && close !== null) {
    const open = givenOpen ?? close;
    const openIsLower = compareCanonical(open, close) <= 0;
    const lower = openIsLower ? open : close;
    const upper = openIsLower ? close : open;
    const high = givenHigh ?? upper;
    const low = givenLow ?? lower;
    if (compareCanonical(high, low) < 0)
      problems.push({ field: 'high', message: `${nameOf(columns, 'high')} (${high}) is below ${nameOf(columns, 'low')} (${low}).` });
    else if (compareCanonical(high, upper) < 0)
      problems.push({ field: 'high', message: `${nameOf(columns, 'high')} (${high}) is below ${openOrClose(columns)}.` });
    else if (compareCanonical(low, lower) > 0)
      problems.push({ field: 'low', message: `${nameOf(columns, 'low')} (${low}) is above ${openOrClose(columns)}.` });
    if (problems.length === 0) return { ok: true, point: { at: raw.at, open, high, low, close, volume } };
  }
  return { ok: false, problems };
}

const nameOf = (columns: ColumnNames, field: ObservationProblem['field']) => columns[field] ?? field;
const openOrClose = (columns: ColumnNames) => `the ${nameOf(columns, 'open')} or ${nameOf(columns, 'close')}`;

const isMissing = (text: string | null | undefined) => text === null || text === undefined || text === '';

/** A price given as text: canonical if it is a decimal greater than 0 within PRICE_LIMIT, else null and a problem. */
function price(
  problems: ObservationProblem[],
  field: ObservationProblem['field'],
  columns: ColumnNames,
  text: string | null | undefined,
): string | null {
  if (isMissing(text)) return null;
  const value = decimal(problems, field, columns, text!);
  if (value === null) return null;
  const beyond = limitProblem(PRICE_LIMIT, nameOf(columns, field), value);
  if (beyond) problems.push({ field, message: beyond });
  else if (isNegative(value) || isZero(value))
    problems.push({ field, message: `${nameOf(columns, field)} must be greater than 0; it was ${value}.` });
  else return value;
  return null;
}

function decimal(problems: ObservationProblem[], field: ObservationProblem['field'], columns: ColumnNames, text: string): string | null {
  if (isPlainDecimal(text)) return canonicalText(text);
  problems.push({
    field,
    message: `${nameOf(columns, field)} "${excerpt(text)}" is not a plain decimal (digits with an optional "-" and "."; no exponent, no thousands separators).`,
  });
  return null;
}
