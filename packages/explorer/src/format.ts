// How numbers, days and sources read on the page. Decimals stay the API's exact strings: they
// are grouped for reading, never rounded, so the page shows what the source states.
import type { CitationFieldsFragment } from '@minergraph/sdk/operations';
import { h } from './dom.js';

/** "7474.6" -> "7,474.6", "-0.02" -> "−0.02": the exact decimal, grouped, with a real minus sign. */
export function exact(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole = '0', fraction] = (negative ? decimal.slice(1) : decimal).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '−' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** A signed exact decimal: "+1,115.7", "−0.02", "0". */
export function signed(decimal: string): string {
  return Number(decimal) > 0 ? `+${exact(decimal)}` : exact(decimal);
}

/** USD rounded to whole dollars for reading ("$305,000,000"); prices below $100 keep their cents. */
export function usd(decimal: string): string {
  const value = Number(decimal);
  const digits = Math.abs(value) < 100 ? 2 : 0;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

/** "2026-01-31" (the API's days and instants are UTC). */
export function day(value: string): string {
  return value.slice(0, 10);
}

const PERIOD_NAMES: Record<string, string> = { MONTH: 'month', QUARTER: 'quarter', YEAR: 'year' };

export function periodLabel(period: string | null, start: string, end: string): string {
  return `${PERIOD_NAMES[period ?? ''] ?? 'period'} ${start} to ${end}`;
}

/** A calendar period in few characters ("Q1 2026", "2026-05", "2025"); any other range in full. */
export function shortPeriod(period: string | null, start: string, end: string): string {
  const [year, month] = [start.slice(0, 4), Number(start.slice(5, 7))];
  const calendar = start.slice(8) === '01' && end.slice(0, 4) === year;
  if (calendar && period === 'YEAR' && end.slice(5) === '12-31') return year;
  if (calendar && period === 'QUARTER' && month % 3 === 1 && Number(end.slice(5, 7)) === month + 2) return `Q${(month + 2) / 3} ${year}`;
  if (calendar && period === 'MONTH' && end.slice(0, 7) === start.slice(0, 7)) return start.slice(0, 7);
  return periodLabel(period, start, end);
}

/** What a source says about itself, for a tooltip: the quote first, then where it is from. */
export function citationText(source: CitationFieldsFragment): string {
  const from = [
    source.publisher,
    source.title,
    source.publishedOn ? `published ${source.publishedOn}` : null,
    source.kind ? source.kind.toLowerCase().replace(/_/g, ' ') : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const quote = source.quote ? `“${source.quote}”` : 'No quote recorded.';
  return `${quote}\n— ${from}${source.asOf ? ` (as of ${source.asOf})` : ''}`;
}

/**
 * A number that links to its source: its URL opens the page that states it, and its quote shows
 * on hover and on keyboard focus (the title, and a tooltip the stylesheet shows on :focus). A
 * number without a source says so.
 */
export function cited(
  text: string,
  source: CitationFieldsFragment | null | undefined,
  extra: { testid?: string; note?: string } = {},
): HTMLElement {
  if (!source)
    return h(
      'span',
      { class: 'uncited', 'data-testid': extra.testid, title: 'No source recorded for this number.' },
      text,
      h('span', { class: 'sr-only' }, ' (no source)'),
    );
  const tip = extra.note ? `${citationText(source)}\n${extra.note}` : citationText(source);
  const attributes = {
    class: 'cited',
    title: tip,
    'data-testid': extra.testid,
    'data-quote': source.quote ?? '',
    'aria-label': `${text}. Source: ${source.publisher ?? source.title ?? 'source'}`,
  };
  if (source.url)
    return h(
      'a',
      { ...attributes, href: source.url, target: '_blank', rel: 'noopener noreferrer' },
      text,
      h('span', { class: 'tip', 'aria-hidden': 'true' }, tip),
    );
  return h('span', { ...attributes, tabindex: 0 }, text, h('span', { class: 'tip', 'aria-hidden': 'true' }, tip));
}

/** Where a fact comes from, in a line: "Source: TheMinerMag (trade press), as of 2026-02-09". */
export function sourceLine(source: CitationFieldsFragment | null | undefined): HTMLElement {
  if (!source) return h('span', { class: 'source-line' }, 'Source: none recorded');
  const name = source.publisher ?? source.title ?? source.url ?? 'source';
  return h('span', { class: 'source-line' }, 'Source: ', cited(name, source), source.asOf ? `, as of ${source.asOf}` : '');
}
