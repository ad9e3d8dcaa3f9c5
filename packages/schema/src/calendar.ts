import type { CalendarInterval } from './models.js';

const DAY_MS = 86_400_000;

function toUtc(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function format(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return format(new Date(toUtc(day).getTime() + days * DAY_MS));
}

/** Days from `from` to `to`, both included. */
export function daysInclusive(from: string, to: string): number {
  return Math.round((toUtc(to).getTime() - toUtc(from).getTime()) / DAY_MS) + 1;
}

/** The last instant of a UTC day: prices "at the end of the day" are at or before it. */
export function endOfDay(day: string): Date {
  return new Date(toUtc(day).getTime() + DAY_MS - 1);
}

/** The last day of the calendar interval (weeks run Monday to Sunday) that contains `day`. */
export function intervalEnd(day: string, interval: CalendarInterval): string {
  const date = toUtc(day);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (interval) {
    case 'DAY':
      return day;
    case 'WEEK':
      return addDays(day, (7 - date.getUTCDay()) % 7);
    case 'MONTH':
      return format(new Date(Date.UTC(year, month + 1, 0)));
    case 'QUARTER':
      return format(new Date(Date.UTC(year, Math.floor(month / 3) * 3 + 3, 0)));
    case 'YEAR':
      return format(new Date(Date.UTC(year, 12, 0)));
  }
}

/** One day per interval that overlaps [from, to]: the interval's last day, clipped to `to`. */
export function intervalEnds(from: string, to: string, interval: CalendarInterval): string[] {
  const days: string[] = [];
  let day = from;
  while (day <= to) {
    const end = intervalEnd(day, interval);
    days.push(end < to ? end : to);
    day = addDays(end, 1);
  }
  return days;
}
