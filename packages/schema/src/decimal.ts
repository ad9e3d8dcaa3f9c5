import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The one decimal type the API computes with. Precision is far above what BTC (8 places)
 * and USD amounts need, so only explicit rounding ever changes a value.
 */
export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -100, toExpPos: 100 });
export type Decimal = DecimalJs;
export type DecimalValue = DecimalJs.Value;

export const SATOSHI_PLACES = 8;

/** Digits with an optional "-" and fraction, as PostgreSQL prints a numeric: sign, integer digits, fraction digits. */
const PLAIN_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/** The Decimal scalar's form: digits with an optional "-" and ".", no exponent, no thousands separators. */
export function isPlainDecimal(text: string): boolean {
  return PLAIN_TEXT.test(text);
}

/** The contract's canonical form: no exponent, no trailing fraction zeros, no "+", no "-0". */
export function canonical(value: DecimalValue): string {
  // Most values only pass through, as the database's text: trimmed as text, without decimal.js.
  if (typeof value === 'string') {
    const plain = PLAIN_TEXT.exec(value);
    if (plain) {
      const whole = plain[2]!.replace(/^0+(?=\d)/, '');
      const fraction = plain[3]?.replace(/0+$/, '') ?? '';
      if (whole === '0' && fraction === '') return '0';
      return fraction === '' ? `${plain[1]}${whole}` : `${plain[1]}${whole}.${fraction}`;
    }
  }
  const d = new Decimal(value);
  if (d.isZero()) return '0';
  return d.toFixed();
}

/** A quotient the server derives is rounded half-up to 8 places (docs/domain.md, "Meanings and formulas"). */
export function divide(numerator: DecimalValue, denominator: DecimalValue): Decimal {
  return new Decimal(numerator).div(denominator).toDecimalPlaces(SATOSHI_PLACES, DecimalJs.ROUND_HALF_UP);
}

export function sum(values: Iterable<DecimalValue>): Decimal {
  let total = new Decimal(0);
  for (const value of values) total = total.plus(value);
  return total;
}

/**
 * A derived ratio or percent as a Float, rounded half-up to 8 places as every derived quotient
 * is (0.4390307741116751 is served as 0.43903077), or null when a Float cannot hold it: a
 * quotient by a price that rounded to 0 (Infinity, NaN), or one beyond what a double can hold.
 */
export function toRoundedFloat(value: Decimal): number | null {
  if (!value.isFinite()) return null;
  const number = value.toDecimalPlaces(SATOSHI_PLACES, DecimalJs.ROUND_HALF_UP).toNumber();
  return Number.isFinite(number) ? number : null;
}
