// Exact decimals as text, for the import's hot loop. A million lines hold six million numbers;
// decimal.js would allocate an object for each, yet all the rules need is a sign and an order,
// which plain decimal strings give exactly by comparing digits.

/**
 * The canonical form the API prints (no leading or trailing zeros, no "-0"), the same as
 * `canonical()` from @minergraph/schema, for a string that passed `isPlainDecimal` (@minergraph/schema).
 */
export function canonicalText(text: string): string {
  // One slice at most: the leading zeros and the sign, or the trailing zeros, are cut by position.
  const negative = text.charCodeAt(0) === MINUS;
  let start = negative ? 1 : 0;
  const point = text.indexOf('.');
  const wholeEnd = point === -1 ? text.length : point;
  while (start < wholeEnd - 1 && text.charCodeAt(start) === ZERO) start += 1;
  let end = text.length;
  if (point !== -1) {
    while (text.charCodeAt(end - 1) === ZERO) end -= 1;
    if (end === point + 1) end = point;
  }
  const isZero = end - start === 1 && text.charCodeAt(start) === ZERO;
  if (negative && !isZero) return start === 1 && end === text.length ? text : `-${text.slice(start, end)}`;
  return start === 0 && end === text.length ? text : text.slice(start, end);
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
const MINUS = 45;
const ZERO = 48;

export const isNegative = (canonical: string) => canonical.startsWith('-');
export const isZero = (canonical: string) => canonical === '0';
