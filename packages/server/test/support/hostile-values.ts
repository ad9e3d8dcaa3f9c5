/**
 * The values hostile-requests.ts attacks arguments with: strings for every text argument, and
 * days, instants, decimals and ids that each argument of that type must refuse (or must take).
 */

/** Mulberry32: small, seeded, and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// No value contains a marker of leaked internals (see LEAK_MARKERS in the test), so an error
// message that echoes a value back is never mistaken for a leak.
export const HOSTILE_STRINGS: readonly string[] = [
  // SQL injection, plain and evasive (no space after SELECT, comments for spaces)
  "' OR 1=1 --",
  "' OR '1'='1",
  "'); drop table companies; --",
  '" OR ""="',
  "CANG' --",
  "CANG'/**/OR/**/'1'='1",
  '1;(SELECT(pg_sleep(5)))',
  "'||pg_sleep(5)||'",
  '$$; drop table sites; $$',
  // LIKE wildcards and escapes
  '%',
  '_',
  '%_%',
  'C%',
  '\\',
  '\\\\',
  "\\'",
  '\\%',
  '%00',
  '\\u0000',
  // NUL, and UTF-16 that is not well-formed
  '\u0000',
  'CANG\u0000',
  '\u0000\u0000',
  '\ud800',
  '\udfff',
  'CA\ud83dNG',
  // Unicode that renders, reorders, hides or changes under case mapping
  '🚀₿💰',
  '👨‍👩‍👧‍👦',
  '\u202eGNAC',
  'شركة كانغو',
  'קאנגו',
  '\u200b',
  '\ufeffCANG',
  'ＣＡＮＧ',
  'ß',
  'ı',
  'e\u0301',
  // control characters and blanks
  '\u0001\u001f\u007f',
  '\r\n\t',
  ' ',
  '',
  // other injections
  '<script>alert(1)</script>',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text
  '${7*7}',
  '../../etc/passwd',
  'javascript:alert(1)',
  'http://127.0.0.1:5432/',
  '__proto__',
  'constructor',
  'A'.repeat(10_000),
];

/** Days that do not exist or are not written YYYY-MM-DD; every Date argument must refuse them. */
export const BAD_DAYS: readonly unknown[] = [
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2025-02-29',
  '0000-01-01',
  '2026-2-3',
  '20260203',
  '2026-02-03T00:00:00Z',
  '+002026-02-03',
  ' 2026-02-03',
  '2026-02-03\u0000',
  '٢٠٢٦-٠٢-٠٣',
  '10000-01-01',
  '',
  20260203,
  true,
  ['2026-02-03'],
];
/** Days that exist, including the first and the last a Date can name. */
export const GOOD_DAYS: readonly string[] = ['2026-02-09', '2024-02-29', '0001-01-01', '9999-12-31'];

export const BAD_INSTANTS: readonly unknown[] = [
  '0001-01-01T00:00:00+14:00',
  '9999-12-31T23:00:00-14:00',
  '2026-02-30T00:00:00Z',
  '2026-02-09',
  '2026-02-09T00:00:00',
  '2026-02-09T25:00:00Z',
  '2026-02-09T00:60:00Z',
  '2026-02-09T00:00:00+99:99',
  '+275760-09-13T00:00:00Z',
  '2026-02-09T00:00:00.1234567891Z',
  '2026-02-09T00:00:00Z\u0000',
  'now',
  1_770_595_200_000,
  '2026-02-09 00:00:00Z',
  '',
];
export const GOOD_INSTANTS: readonly string[] = [
  '2026-02-09T00:00:00Z',
  '2026-02-09T00:00:00.123456789Z',
  '2026-02-09T00:00:00+14:00',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
];

/** Decimals every Decimal argument must refuse: exponents, JSON numbers with a fraction or beyond 2^53, other notations. */
export const BAD_DECIMALS: readonly unknown[] = [
  '1e5',
  '1E5',
  '1.5e3',
  1.5,
  0.1,
  2 ** 53,
  1e308,
  -1e308,
  '1.',
  '.5',
  '+1',
  ' 1',
  '1,000',
  '1_000',
  'NaN',
  'Infinity',
  '0x10',
  '١٢٣',
  '',
  true,
  [],
  {},
];
/** Plain decimals a price argument takes: greater than 0, at most 15 digits before the point and 18 after. */
export const GOOD_PRICES: readonly unknown[] = [
  '70000.5',
  70000,
  1e5,
  '00001',
  '0.000000000000000001',
  '999999999999999.999999999999999999',
];
/** Plain decimals (the Decimal scalar takes them) that a price argument refuses: not above 0, or beyond its digits. */
export const OUT_OF_RANGE_PRICES: readonly unknown[] = [
  2 ** 53 - 1,
  '-1',
  '0',
  '-0',
  '9'.repeat(5000),
  `0.${'0'.repeat(5000)}1`,
  `-${'9'.repeat(100)}`,
  '0.0000000000000000001',
  '1000000000000000',
];
/** BTC amounts a positive BTC field refuses: the bad decimals, and too many decimals, zero or less, or beyond 21,000,000. */
export const BAD_BTC: readonly unknown[] = [...BAD_DECIMALS, '0.000000001', '0', '-0', '-1', '21000000.00000001', '9'.repeat(400)];
export const BAD_AMOUNTS: readonly unknown[] = [...BAD_DECIMALS, '-1', '-0.01', '0.0000000001', '9'.repeat(16), `0.${'0'.repeat(17_000)}1`];

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Global ids no row has: malformed, of another type, or naming ids that cannot exist. */
export const BAD_IDS: readonly unknown[] = [
  '',
  ' ',
  '1',
  '-1',
  '!!!',
  '====',
  '\u0000',
  '🚀',
  "' OR 1=1 --",
  base64('Company:-1'),
  base64('Company:0'),
  base64('Company:1.5'),
  base64('Company:1e5'),
  base64('Company:99999999999999999999'),
  base64('Company:999999999999999999'),
  base64("Company:1' OR '1'='1"),
  base64('Company:1;drop table companies'),
  base64('Company:\u0000'),
  base64('Company:'),
  base64(':1'),
  base64('Company'),
  base64('Nope:1'),
  base64('__proto__:1'),
  base64('Company:1').repeat(500),
  base64(`Company:${'9'.repeat(5000)}`),
  1,
  1.5,
  null,
  true,
  [],
  {},
];

/** The tickers and symbols the server takes (SYMBOL_RULE), once surrounding spaces are dropped. */
export const SYMBOL = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,10}[A-Za-z0-9])?$/;
/** A ticker or symbol as the reads look it up (case-insensitive, trimmed). */
export const asSymbol = (value: string) => value.trim().toUpperCase();
/** Whether a write takes a ticker or symbol: by SYMBOL once the spaces around it are dropped. */
export const writableSymbol = (value: string) => SYMBOL.test(value.replace(/^ +| +$/g, ''));
