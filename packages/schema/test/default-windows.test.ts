import { describe, expect, it } from 'vitest';
import { aYearBefore, daysInclusive, yearEndingOn } from '../src/calendar.js';

describe('a default window is exactly the year up to its end', () => {
  it('starts the day after the same date a year earlier, so it holds 365 or 366 days and consecutive years tile', () => {
    expect(yearEndingOn('2026-02-09')).toBe('2025-02-10');
    expect(daysInclusive(yearEndingOn('2026-02-09'), '2026-02-09')).toBe(365);
    expect(yearEndingOn('2024-12-31')).toBe('2024-01-01');
    expect(daysInclusive(yearEndingOn('2024-12-31'), '2024-12-31')).toBe(366);
  });

  it('a window ending on 29 February starts on 1 March, and none reaches before 0001-01-01', () => {
    expect(yearEndingOn('2028-02-29')).toBe('2027-03-01');
    expect(yearEndingOn('2029-02-28')).toBe('2028-02-29');
    expect(yearEndingOn('0001-06-30')).toBe('0001-01-01');
  });

  it('an instant window starts the same instant a year earlier', () => {
    expect(aYearBefore(new Date('2026-11-27T14:30:00.123Z')).toISOString()).toBe('2025-11-27T14:30:00.123Z');
    expect(aYearBefore(new Date('2028-02-29T12:00:00.000Z')).toISOString()).toBe('2027-03-01T12:00:00.000Z');
  });
});
