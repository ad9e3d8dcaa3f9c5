import { describe, expect, it } from 'vitest';
import { canonical, Decimal, divide, sum, toRoundedFloat } from '../../src/decimal.js';

describe('canonical', () => {
  it('drops leading and trailing zeros, the exponent and the sign of zero', () => {
    expect(canonical('7474.60')).toBe('7474.6');
    expect(canonical('00012.3400')).toBe('12.34');
    expect(canonical('-000.5')).toBe('-0.5');
    expect(canonical('1.000')).toBe('1');
    expect(canonical('-0')).toBe('0');
    expect(canonical('-0.000')).toBe('0');
    expect(canonical('1e-7')).toBe('0.0000001');
    expect(canonical('1.5e3')).toBe('1500');
    expect(canonical(new Decimal('1e30'))).toBe('1000000000000000000000000000000');
    expect(canonical(new Decimal('-1e-30'))).toBe('-0.000000000000000000000000000001');
    expect(canonical(5)).toBe('5');
  });

  it('trims plain text exactly as decimal.js prints it', () => {
    // The text path (values that only pass through) against decimal.js on every shape of input.
    const wholes = ['0', '00', '7', '007', '10', '7474', '000100', '21000000'];
    const fractions = [undefined, '0', '000', '5', '50', '05', '60000000', '00000001', '10203000'];
    for (const sign of ['', '-']) {
      for (const whole of wholes) {
        for (const fraction of fractions) {
          const text = `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`;
          const d = new Decimal(text);
          expect(canonical(text), text).toBe(d.isZero() ? '0' : d.toFixed());
        }
      }
    }
  });

  it('keeps every digit of a long decimal', () => {
    const long = '123456789012345678901234567890.123456789012345678901234567890';
    expect(canonical(long)).toBe('123456789012345678901234567890.12345678901234567890123456789');
  });
});

describe('divide', () => {
  it('rounds the quotient half-up to 8 places', () => {
    expect(divide('1', '3').toFixed()).toBe('0.33333333');
    expect(divide('2', '3').toFixed()).toBe('0.66666667');
    expect(divide('10', '4').toFixed()).toBe('2.5');
    // Exactly half a satoshi rounds away from zero, on both sides of it.
    expect(divide('1', '200000000').toFixed()).toBe('0.00000001');
    expect(divide('-1', '200000000').toFixed()).toBe('-0.00000001');
    expect(divide('1', '200000001').toFixed()).toBe('0');
    expect(divide('8000000', '89.73').toFixed()).toBe('89156.35796278');
  });

  it('gives Infinity or NaN for a zero denominator, which toRoundedFloat turns into null', () => {
    expect(divide('1', '0').isFinite()).toBe(false);
    expect(divide('0', '0').isNaN()).toBe(true);
    expect(toRoundedFloat(divide('1', '0'))).toBeNull();
    expect(toRoundedFloat(divide('0', '0'))).toBeNull();
  });
});

describe('sum', () => {
  it('adds exactly, without binary floating point', () => {
    expect(canonical(sum(['0.1', '0.2']))).toBe('0.3');
    expect(canonical(sum(['0.00000001', '-0.00000001']))).toBe('0');
    expect(canonical(sum(['21000000', '0.00000001', 5]))).toBe('21000005.00000001');
    expect(canonical(sum([]))).toBe('0');
  });

  it('takes any iterable, once', () => {
    function* amounts() {
      yield '1.5';
      yield '2.25';
    }
    expect(canonical(sum(amounts()))).toBe('3.75');
  });
});

describe('toRoundedFloat', () => {
  it('is the nearest double of the decimal rounded half-up (away from zero on a tie) to 8 places', () => {
    expect(toRoundedFloat(new Decimal('0.1').plus('0.2'))).toBe(0.3);
    expect(toRoundedFloat(new Decimal('-43.903077411167516'))).toBe(-43.90307741);
    expect(toRoundedFloat(new Decimal(55353).div(126080))).toBe(0.43903077);
    expect(toRoundedFloat(new Decimal('0.000000005'))).toBe(0.00000001);
    expect(toRoundedFloat(new Decimal('-0.000000005'))).toBe(-0.00000001);
    expect(toRoundedFloat(new Decimal('0.0000000049'))).toBe(0);
    expect(toRoundedFloat(new Decimal('0'))).toBe(0);
  });

  it('is null beyond what a double holds', () => {
    expect(toRoundedFloat(new Decimal('1e309'))).toBeNull();
    expect(toRoundedFloat(new Decimal('-1e309'))).toBeNull();
    expect(toRoundedFloat(new Decimal('1.7976931348623157e308'))).toBe(Number.MAX_VALUE);
  });
});
