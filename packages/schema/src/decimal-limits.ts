import { Decimal } from './decimal.js';

/**
 * What a Decimal input may hold, by what it means: how many digits it has before and after
 * the point, and for some a largest magnitude. Every figure the server stores or derives from
 * inputs within these limits fits NUMERIC and the 60 significant digits the server computes
 * with, so no accepted input can break a later read.
 */
export interface DecimalLimit {
  /** What the value is, as a sentence names it: "a BTC amount". */
  readonly noun: string;
  /** Most digits before the point. */
  readonly wholeDigits: number;
  /** Most digits after the point. */
  readonly places: number;
  /** What the finest step is called, if it has a name: "one satoshi". */
  readonly step?: string;
  /** A largest magnitude below what the digits allow: the canonical value and how it reads. */
  readonly max?: { readonly value: string; readonly text: string };
}

/** All the BTC that will ever exist, to the satoshi. */
export const BTC_LIMIT: DecimalLimit = {
  noun: 'a BTC amount',
  wholeDigits: 8,
  places: 8,
  step: 'one satoshi',
  max: { value: '21000000', text: '21,000,000 BTC' },
};

/** Proceeds, costs, principals and repayments: under a quadrillion dollars, to the cent. */
export const USD_AMOUNT_LIMIT: DecimalLimit = { noun: 'a USD amount', wholeDigits: 15, places: 2, step: 'one cent' };

/**
 * A price per unit: under a quadrillion, with the 18 decimals a float-printed quote of a cheap
 * asset can carry (exports print prices such as 42261.0406175669).
 */
export const PRICE_LIMIT: DecimalLimit = { noun: 'a price', wholeDigits: 15, places: 18 };

/** Traded volume of one observation. */
export const VOLUME_LIMIT: DecimalLimit = { noun: 'a volume', wholeDigits: 20, places: 18 };

/** Hashrate in EH/s: a thousand times the whole network's (about 1,000 EH/s in 2025), to 1 TH/s. */
export const HASHRATE_LIMIT: DecimalLimit = {
  noun: 'a hashrate',
  wholeDigits: 7,
  places: 6,
  step: '1 TH/s',
  max: { value: '1000000', text: '1,000,000 EH/s' },
};

/** Power capacity in MW: up to a terawatt, to the kilowatt. */
export const POWER_LIMIT: DecimalLimit = {
  noun: 'a power capacity',
  wholeDigits: 7,
  places: 3,
  step: '1 kW',
  max: { value: '1000000', text: '1,000,000 MW' },
};

/** New units per old unit: from a 1-for-100,000,000 reverse split to a 1,000,000-for-1 split. */
export const RATIO_LIMIT: DecimalLimit = { noun: 'a ratio', wholeDigits: 7, places: 8, max: { value: '1000000', text: '1,000,000' } };

const stepOf = (limit: DecimalLimit) => (limit.step ? ` (${limit.step})` : '');

/** The limit as a schema description states it. */
export function describeLimit(limit: DecimalLimit): string {
  return limit.max
    ? `At most ${limit.max.text}, with at most ${limit.places} decimals${stepOf(limit)}.`
    : `At most ${limit.wholeDigits} digits before the decimal point and ${limit.places} after${stepOf(limit)}.`;
}

/**
 * What is wrong with a canonical decimal (as the Decimal scalar or the import gives it) by the
 * limit, as a sentence about the field `name`; null when it fits. It counts digits first, so
 * the import's millions of numbers need no decimal object.
 */
export function limitProblem(limit: DecimalLimit, name: string, canonical: string): string | null {
  const magnitude = canonical.startsWith('-') ? canonical.slice(1) : canonical;
  const point = magnitude.indexOf('.');
  const places = point === -1 ? 0 : magnitude.length - point - 1;
  if (places > limit.places) return `${name} has ${places} decimals; ${limit.noun} has at most ${limit.places}${stepOf(limit)}.`;
  const wholeDigits = point === -1 ? magnitude.length : point;
  if (limit.max) {
    if (wholeDigits > limit.wholeDigits || (wholeDigits === limit.wholeDigits && new Decimal(magnitude).gt(limit.max.value))) {
      return `${name} is beyond ${limit.max.text}, the most ${limit.noun} may be.`;
    }
  } else if (wholeDigits > limit.wholeDigits) {
    return `${name} has ${wholeDigits} digits before the decimal point; ${limit.noun} has at most ${limit.wholeDigits}.`;
  }
  return null;
}
