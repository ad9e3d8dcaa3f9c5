import type { CalendarInterval } from './models.js';

const DAY_MS = 86_400_000;
const FIRST_DAY = '0001-01-01';

function toUtc(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function format(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return format(new Date(toUtc(day).getTime() + days * DAY_MS));
}

/**
 * The first day of the year that ends on `day`: the day after the same date a year earlier, so
 * that consecutive default windows tile (2026-02-09 -> 2025-02-10; 2028-02-29 -> 2027-03-01).
 */
export function yearEndingOn(day: string): string {
  const date = toUtc(day);
  const yearBefore = utc(date.getUTCFullYear() - 1, date.getUTCMonth(), date.getUTCDate());
  // 29 February has no twin a year earlier; setUTCFullYear rolls it to 1 March.
  const first = yearBefore.getUTCMonth() !== date.getUTCMonth() ? format(yearBefore) : addDays(format(yearBefore), 1);
  // The calendar starts at 0001-01-01; a window cannot reach before it.
  return first < FIRST_DAY ? FIRST_DAY : first;
}

/** The same instant a calendar year earlier (29 February becomes 1 March). */
export function aYearBefore(at: Date): Date {
  const date = new Date(at.getTime());
  date.setUTCFullYear(date.getUTCFullYear() - 1);
  return date;
}

/** Days from `from` to `to`, both included. */
export function daysInclusive(from: string, to: string): number {
  return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / DAY_MS) + 1;
}

/** The last instant of a UTC day: prices "at the end of the day" are at or before it. */
export function endOfDay(day: string): Date {
  return new Date(toUtc(day).getTime() + DAY_MS - 1);
}

/** Midnight UTC of a calendar day; setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are. */
function utc(year: number, monthIndex: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}

/** The last day, as midnight UTC, of the calendar interval (weeks run Monday to Sunday) that contains `day`. */
function intervalEndDate(day: string, interval: CalendarInterval): Date {
  const date = toUtc(day);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (interval) {
    case 'DAY':
      return date;
    case 'WEEK':
      return new Date(date.getTime() + ((7 - date.getUTCDay()) % 7) * DAY_MS);
    case 'MONTH':
      return utc(year, month + 1, 0);
    case 'QUARTER':
      return utc(year, Math.floor(month / 3) * 3 + 3, 0);
    case 'YEAR':
      return utc(year, 12, 0);
  }
}

/** How many intervals overlap [from, to], i.e. how many days intervalEnds gives, without listing them. */
export function intervalCount(from: string, to: string, interval: CalendarInterval): number {
  if (from > to) return 0;
  const start = toUtc(from);
  const end = toUtc(to);
  const months = (date: Date) => date.getUTCFullYear() * 12 + date.getUTCMonth();
  switch (interval) {
    case 'DAY':
      return daysInclusive(from, to);
    case 'WEEK': {
      // 1970-01-01 was a Thursday: day 3 of the week that began on Monday 1969-12-29.
      const week = (date: Date) => Math.floor((date.getTime() / DAY_MS + 3) / 7);
      return week(end) - week(start) + 1;
    }
    case 'MONTH':
      return months(end) - months(start) + 1;
    case 'QUARTER':
      return Math.floor(months(end) / 3) - Math.floor(months(start) / 3) + 1;
    case 'YEAR':
      return end.getUTCFullYear() - start.getUTCFullYear() + 1;
  }
}

/**
 * One day per interval that overlaps [from, to]: the interval's last day, clipped to `to`.
 * Ends are compared as instants, not strings: the week or year holding 9999-12-31 ends in
 * year 10000, which prints as "+010000-..." and would sort before every four-digit year.
 */
export function intervalEnds(from: string, to: string, interval: CalendarInterval): string[] {
  const days: string[] = [];
  const last = toUtc(to).getTime();
  let day = from;
  while (day <= to) {
    const end = intervalEndDate(day, interval);
    if (end.getTime() >= last) {
      days.push(to);
      break;
    }
    days.push(format(end));
    day = addDays(format(end), 1);
  }
  return days;
}
