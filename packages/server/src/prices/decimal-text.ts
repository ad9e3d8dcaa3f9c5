// Exact decimals as text, for the import's hot loop. A million lines hold six million numbers;
// decimal.js would allocate an object for each, yet all the rules need is a sign and an order,
// which plain decimal strings give exactly by comparing digits.

/**
 * The canonical form the API prints (no leading or trailing zeros, no "-0"), the same as
 * `canonical()` from @minergraph/schema, for a string that passed `isPlainDecimal` (@minergraph/schema).
 */
export function canonicalText(text: string): string {
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const point = unsigned.indexOf('.');
  let whole = point === -1 ? unsigned : unsigned.slice(0, point);
  let fraction = point === -1 ? '' : unsigned.slice(point + 1);
  let start = 0;
  while (start < whole.length - 1 && whole.charCodeAt(start) === 48) start += 1;
  whole = whole.slice(start);
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 48) end -= 1;
  fraction = fraction.slice(0, end);
  const magnitude = fraction ? `${whole}.${fraction}` : whole;
  return negative && magnitude !== '0' ? `-${magnitude}` : magnitude;
}

/** -1, 0 or 1, exactly, for two canonical non-negative decimals. */
export function compareCanonical(a: string, b: string): number {
  if (a === b) return 0;
  const pointA = a.indexOf('.');
  const pointB = b.indexOf('.');
  const wholeA = pointA === -1 ? a.length : pointA;
  const wholeB = pointB === -1 ? b.length : pointB;
  // Without leading zeros, a longer whole part is a larger number.
  if (wholeA !== wholeB) return wholeA < wholeB ? -1 : 1;
  // Equal whole lengths line the digits up; a missing digit is a 0 (and a missing point, a point).
  for (let index = 0, end = Math.max(a.length, b.length); index < end; index += 1) {
    const digitA = index < a.length ? a.charCodeAt(index) : index === wholeA ? DOT : ZERO;
    const digitB = index < b.length ? b.charCodeAt(index) : index === wholeB ? DOT : ZERO;
    if (digitA !== digitB) return digitA < digitB ? -1 : 1;
  }
  return 0;
}

const DOT = 46;
const ZERO = 48;

export const isNegative = (canonical: string) => canonical.startsWith('-');
export const isZero = (canonical: string) => canonical === '0';
