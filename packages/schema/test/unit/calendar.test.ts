import { describe, expect, it } from 'vitest';
import { addDays, daysInclusive, endOfDay, intervalCount, intervalEnds, yearEndingOn } from '../../src/calendar.js';
import type { CalendarInterval } from '../../src/models.js';

describe('addDays', () => {
  it('crosses month and year ends both ways', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-01-31', 30)).toBe('2026-03-02');
    expect(addDays('2026-11-27', 0)).toBe('2026-11-27');
  });

  it('knows which years are leap years: every fourth, not every hundredth, but every four hundredth', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01');
  });
});

describe('yearEndingOn', () => {
  it('starts a window ending on 29 February on 1 March, and one ending on 28 February after a leap day on 29 February', () => {
    expect(yearEndingOn('2024-02-29')).toBe('2023-03-01');
    expect(yearEndingOn('2025-02-28')).toBe('2024-02-29');
    expect(yearEndingOn('2025-03-01')).toBe('2024-03-02');
    expect(yearEndingOn('2026-01-01')).toBe('2025-01-02');
  });
});

describe('daysInclusive', () => {
  it('counts both ends', () => {
    expect(daysInclusive('2026-02-09', '2026-02-09')).toBe(1);
    expect(daysInclusive('2024-01-01', '2024-12-31')).toBe(366);
    expect(daysInclusive('2025-01-01', '2025-12-31')).toBe(365);
    expect(daysInclusive('2024-02-28', '2024-03-01')).toBe(3);
    expect(daysInclusive('2023-02-28', '2023-03-01')).toBe(2);
    expect(daysInclusive('2026-01-02', '2026-01-01')).toBe(0);
  });
});

describe('endOfDay', () => {
  it('is the last millisecond of the UTC day', () => {
    expect(endOfDay('2024-02-29').toISOString()).toBe('2024-02-29T23:59:59.999Z');
    expect(endOfDay('2026-12-31').toISOString()).toBe('2026-12-31T23:59:59.999Z');
  });
});

describe('intervalEnds and intervalCount', () => {
  // Each case: the window, and the days intervalEnds must give (the last day of each interval
  // that overlaps it, the last one clipped to `to`); intervalCount must count exactly those.
  const cases: [from: string, to: string, interval: CalendarInterval, ends: string[]][] = [
    ['2024-02-27', '2024-03-02', 'DAY', ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']],
    ['2026-11-26', '2026-11-26', 'DAY', ['2026-11-26']],
    // 2026-11-27 is a Friday: its week ends on Sunday the 29th; the last week is cut at Wednesday 9 December.
    ['2026-11-27', '2026-12-09', 'WEEK', ['2026-11-29', '2026-12-06', '2026-12-09']],
    // A window that starts on a Sunday has a first interval of one day.
    ['2026-11-29', '2026-11-30', 'WEEK', ['2026-11-29', '2026-11-30']],
    // Monday to Sunday: exactly one whole week.
    ['2026-11-30', '2026-12-06', 'WEEK', ['2026-12-06']],
    // Weeks across a year end: Monday 29 December 2025 to Sunday 4 January 2026 is one week.
    ['2025-12-24', '2026-01-05', 'WEEK', ['2025-12-28', '2026-01-04', '2026-01-05']],
    ['2024-01-31', '2024-04-15', 'MONTH', ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-15']],
    ['2023-02-10', '2023-03-01', 'MONTH', ['2023-02-28', '2023-03-01']],
    ['2025-11-15', '2026-08-01', 'QUARTER', ['2025-12-31', '2026-03-31', '2026-06-30', '2026-08-01']],
    ['2026-04-01', '2026-06-30', 'QUARTER', ['2026-06-30']],
    ['2023-06-01', '2025-01-01', 'YEAR', ['2023-12-31', '2024-12-31', '2025-01-01']],
    ['2024-05-05', '2024-05-05', 'YEAR', ['2024-05-05']],
    // The week and the year holding 9999-12-31 end in year 10000: clipped, not lost.
    ['9999-12-20', '9999-12-31', 'WEEK', ['9999-12-26', '9999-12-31']],
    ['9998-07-01', '9999-12-31', 'YEAR', ['9998-12-31', '9999-12-31']],
  ];

  it.each(cases)('%s to %s by %s', (from, to, interval, ends) => {
    expect(intervalEnds(from, to, interval)).toEqual(ends);
    expect(intervalCount(from, to, interval)).toBe(ends.length);
  });

  it('gives nothing for a window whose start is after its end', () => {
    for (const interval of ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const) {
      expect(intervalEnds('2026-02-02', '2026-02-01', interval)).toEqual([]);
      expect(intervalCount('2026-02-02', '2026-02-01', interval)).toBe(0);
    }
  });

  it('counts a long window without listing it', () => {
    expect(intervalCount('0001-01-01', '9999-12-31', 'DAY')).toBe(3_652_059);
    expect(intervalCount('0001-01-01', '9999-12-31', 'MONTH')).toBe(119_988);
    expect(intervalCount('0001-01-01', '9999-12-31', 'QUARTER')).toBe(39_996);
    expect(intervalCount('0001-01-01', '9999-12-31', 'YEAR')).toBe(9_999);
  });
});
