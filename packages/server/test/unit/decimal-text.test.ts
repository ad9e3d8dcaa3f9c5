import { canonical, isPlainDecimal } from '@minergraph/schema';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalText, compareCanonical, isNegative, isZero } from '../../src/prices/decimal-text.js';

describe('isPlainDecimal', () => {
  it('accepts digits with an optional "-" and "."', () => {
    for (const text of ['0', '-0', '007', '1.50', '-0.00000001', '123456789012345678901234567890.5']) {
      expect(isPlainDecimal(text), text).toBe(true);
    }
  });

  it('refuses exponents, signs other than "-", separators, spaces and bare points', () => {
    for (const text of [
      '',
      '-',
      '.5',
      '5.',
      '+1',
      '1e5',
      '1E-5',
      '1,000',
      '1_000',
      ' 1',
      '1 ',
      '--1',
      '0x10',
      'NaN',
      'Infinity',
      '1.2.3',
      '٣',
    ]) {
      expect(isPlainDecimal(text), text).toBe(false);
    }
  });
});

describe('canonicalText', () => {
  it('drops leading and trailing zeros and the sign of zero', () => {
    expect(canonicalText('000')).toBe('0');
    expect(canonicalText('-0')).toBe('0');
    expect(canonicalText('-0.000')).toBe('0');
    expect(canonicalText('0010.5000')).toBe('10.5');
    expect(canonicalText('-00.50')).toBe('-0.5');
    expect(canonicalText('1.0')).toBe('1');
    expect(canonicalText('123')).toBe('123');
    expect(canonicalText('0.00000001')).toBe('0.00000001');
  });
});

describe('isNegative and isZero, on canonical text', () => {
  it('read the sign', () => {
    expect([isNegative('-0.5'), isNegative('0'), isNegative('7')]).toEqual([true, false, false]);
    expect([isZero('0'), isZero('0.1'), isZero('-1')]).toEqual([true, false, false]);
  });
});

describe('compareCanonical', () => {
  it('orders canonical decimals by value', () => {
    expect(compareCanonical('10', '9.99')).toBe(1);
    expect(compareCanonical('9.99', '10')).toBe(-1);
    expect(compareCanonical('1.5', '1.5')).toBe(0);
    expect(compareCanonical('1.5', '1.49999999')).toBe(1);
    expect(compareCanonical('1', '1.00000001')).toBe(-1);
    expect(compareCanonical('0', '0.00000001')).toBe(-1);
    expect(compareCanonical('0.1', '0.09')).toBe(1);
  });
});

// Plain decimal text as files and clients write it: an optional "-", leading zeros, long
// fractions, trailing zeros. Digits come from a small alphabet so that generated pairs
// often share prefixes, where comparisons go wrong.
const digits = (maxLength: number) => fc.string({ unit: fc.constantFrom('0', '0', '1', '5', '9'), minLength: 1, maxLength });
const plainDecimal = fc
  .record({ negative: fc.boolean(), whole: digits(25), fraction: fc.option(digits(40)) })
  .map(({ negative, whole, fraction }) => `${negative ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}`);
/** Zero in any form: "0", "000", "-0", "-0.000", ... */
const zero = fc
  .record({ negative: fc.boolean(), whole: fc.integer({ min: 1, max: 4 }), fraction: fc.integer({ min: 0, max: 4 }) })
  .map(({ negative, whole, fraction }) => `${negative ? '-' : ''}${'0'.repeat(whole)}${fraction ? `.${'0'.repeat(fraction)}` : ''}`);
/** The same value written differently: more leading zeros, more trailing zeros. */
const rewritten = (text: string) =>
  fc.record({ lead: fc.integer({ min: 0, max: 3 }), trail: fc.integer({ min: 0, max: 3 }) }).map(({ lead, trail }) => {
    const negative = text.startsWith('-');
    const unsigned = negative ? text.slice(1) : text;
    const padded = `${'0'.repeat(lead)}${unsigned}${trail ? `${unsigned.includes('.') ? '' : '.'}${'0'.repeat(trail)}` : ''}`;
    return `${negative ? '-' : ''}${padded}`;
  });
const anyDecimal = fc.oneof({ arbitrary: plainDecimal, weight: 4 }, { arbitrary: zero, weight: 1 });

/** compareCanonical is defined for non-negative values (prices and volumes are checked for sign first); -0 is one. */
const nonNegative = anyDecimal.filter((text) => !new Decimal(text).isNegative() || new Decimal(text).isZero());
const pairs = fc.oneof(
  fc.tuple(nonNegative, nonNegative),
  nonNegative.chain((text) => fc.tuple(fc.constant(text), rewritten(text))),
);

describe('properties against decimal.js', () => {
  it('canonicalText is the canonical form the API prints, for any plain decimal', () => {
    fc.assert(
      fc.property(anyDecimal, (text) => {
        expect(isPlainDecimal(text)).toBe(true);
        expect(canonicalText(text)).toBe(canonical(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('compareCanonical of the canonical forms is decimal.js comparison of the values', () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        expect(compareCanonical(canonicalText(a), canonicalText(b))).toBe(new Decimal(a).cmp(b));
        expect(compareCanonical(canonicalText(b), canonicalText(a))).toBe(new Decimal(b).cmp(a));
      }),
      { numRuns: 2000 },
    );
  });
});
