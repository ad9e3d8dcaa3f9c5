import { Decimal } from '@minergraph/schema';

// The one rule for "a quote states a number", used by `facts check` on the data files and by the
// API's writes on a source's quote.

/** A number as a page prints it: digits with or without thousands separators, then maybe a scale word. */
const PRINTED_NUMBER = /(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?(million|billion|thousand|mn|bn|[MBK])\b)?/g;
const SCALE: Record<string, number> = { million: 1e6, mn: 1e6, M: 1e6, billion: 1e9, bn: 1e9, B: 1e9, thousand: 1e3, K: 1e3 };

/** Whether `quote` prints `value` in one of the usual ways: 7,474.6, 7474.6, 7474.60, $305 million, $1.1B. */
export function quoteStates(quote: string, value: string): boolean {
  const wanted = new Decimal(value);
  for (const match of quote.matchAll(PRINTED_NUMBER)) {
    const printed = new Decimal(`${match[1]!.replaceAll(',', '')}${match[2] ?? ''}`);
    if (printed.eq(wanted)) return true;
    const scale = match[3] ? SCALE[match[3]] : undefined;
    if (scale && printed.mul(scale).eq(wanted)) return true;
  }
  return false;
}
