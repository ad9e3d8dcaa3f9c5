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
  const problems: ObservationProblem[] = [];
  const named = (field: ObservationProblem['field']) => columns[field] ?? field;
  const close = price(problems, 'close', named('close'), raw.close);
  if (isMissing(raw.close)) problems.push({ field: 'close', message: `${named('close')} is required.` });
  const givenOpen = price(problems, 'open', named('open'), raw.open);
  const givenHigh = price(problems, 'high', named('high'), raw.high);
  const givenLow = price(problems, 'low', named('low'), raw.low);
  // Prices in hand (each absent or good): only now can their order be checked.
  const pricesReadable = problems.length === 0;
  const volume = isMissing(raw.volume) ? null : decimal(problems, 'volume', named('volume'), raw.volume!);
  const volumeBeyond = volume === null ? null : limitProblem(VOLUME_LIMIT, named('volume'), volume);
  if (volumeBeyond) problems.push({ field: 'volume', message: volumeBeyond });
  else if (volume !== null && isNegative(volume))
    problems.push({ field: 'volume', message: `${named('volume')} must not be negative; it was ${volume}.` });

  if (pricesReadable && close !== null) {
    const open = givenOpen ?? close;
    const [lower, upper] = compareCanonical(open, close) <= 0 ? [open, close] : [close, open];
    const high = givenHigh ?? upper;
    const low = givenLow ?? lower;
    const openOrClose = `the ${named('open')} or ${named('close')}`;
    if (compareCanonical(high, low) < 0)
      problems.push({ field: 'high', message: `${named('high')} (${high}) is below ${named('low')} (${low}).` });
    else if (compareCanonical(high, upper) < 0)
      problems.push({ field: 'high', message: `${named('high')} (${high}) is below ${openOrClose}.` });
    else if (compareCanonical(low, lower) > 0)
      problems.push({ field: 'low', message: `${named('low')} (${low}) is above ${openOrClose}.` });
    if (problems.length === 0) return { ok: true, point: { at: raw.at, open, high, low, close, volume } };
  }
  return { ok: false, problems };
}

const isMissing = (text: string | null | undefined) => text === null || text === undefined || text === '';

/** A price given as text: canonical if it is a decimal greater than 0 within PRICE_LIMIT, else null and a problem. */
function price(
  problems: ObservationProblem[],
  field: ObservationProblem['field'],
  name: string,
  text: string | null | undefined,
): string | null {
  if (isMissing(text)) return null;
  const value = decimal(problems, field, name, text!);
  if (value === null) return null;
  const beyond = limitProblem(PRICE_LIMIT, name, value);
  if (beyond) problems.push({ field, message: beyond });
  else if (isNegative(value) || isZero(value)) problems.push({ field, message: `${name} must be greater than 0; it was ${value}.` });
  else return value;
  return null;
}

function decimal(problems: ObservationProblem[], field: ObservationProblem['field'], name: string, text: string): string | null {
  if (isPlainDecimal(text)) return canonicalText(text);
  problems.push({
    field,
    message: `${name} "${excerpt(text)}" is not a plain decimal (digits with an optional "-" and "."; no exponent, no thousands separators).`,
  });
  return null;
}
