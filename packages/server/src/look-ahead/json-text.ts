// A look-ahead answer is JSON that PostgreSQL wrote. Parsing it into objects only for Apollo to
// write it out again with JSON.stringify was a fifth of the server's CPU for a small query
// (BENCHMARKS.md), so the text is passed through instead, made byte-identical to what
// JSON.stringify(JSON.parse(text)) gives: that, and nothing else, is what clients got before.

/**
 * An answer's `data` kept as its JSON text. Apollo's stringifyResult writes the text as it is
 * (resultText); anything else that serialises it gets the parsed value (toJSON).
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/**
 * Apollo's body for a result whose data is a JsonText and that has nothing else: what
 * prettyJSONStringify({ data }) would write. Null for any other result.
 */
export function resultText(result: { data?: unknown; errors?: unknown; extensions?: unknown }): string | null {
  if (!(result.data instanceof JsonText) || result.errors !== undefined || result.extensions !== undefined) return null;
  return `{"data":${result.data.text}}\n`;
}

/**
 * The server's stringifyResult: what Apollo's own (prettyJSONStringify) writes, with a
 * JsonText's text written as it is rather than parsed and written again.
 */
export function answerText(result: { data?: unknown; errors?: unknown; extensions?: unknown }): string {
  return resultText(result) ?? `${JSON.stringify(result)}\n`;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const LETTER_U = 0x75;
const COLON = 0x3a;

const isWhitespace = (code: number) => code === SPACE || code === NEWLINE || code === TAB || code === RETURN;

/** The first character at or after `index` that is not whitespace (NaN at the end). */
function nextToken(text: string, index: number): number {
  while (index < text.length && isWhitespace(text.charCodeAt(index))) index += 1;
  return text.charCodeAt(index);
}

/** Characters JSON.stringify writes as \b, \t, \n, \f and \r rather than as \u00xx. */
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

/**
 * Whether the four hex digits of a \u escape are what JSON.stringify writes for the character:
 * a control character without a short escape, in lower case.
 */
function isStringifyEscape(hex: string): boolean {
  const code = Number.parseInt(hex, 16);
  return /^00[01][0-9a-f]$/.test(hex) && !SHORT_ESCAPES.has(code);
}

/** Characters a number token of JSON may hold after its first. */
const isNumberPart = (code: number) =>
  (code >= ZERO && code <= NINE) ||
  code === 0x2e /* . */ ||
  code === 0x65 /* e */ ||
  code === 0x45 /* E */ ||
  code === 0x2b ||
  code === MINUS;

/**
 * PostgreSQL's JSON text (json_build_object, json_agg, to_json) as JSON.stringify writes the
 * same value: no whitespace between tokens, and each number as JavaScript prints the double it
 * parses to (`1.50` is `1.5`, `1e+20` is `100000000000000000000`, `-0` is `0`). Strings are
 * copied as they are: PostgreSQL escapes exactly what JSON.stringify escapes (`"`, `\`, and
 * control characters, as \b \f \n \r \t or \u00xx in lower case) and nothing else, from valid
 * UTF-8, so no lone surrogate. Null, and the caller parses instead, for what this does not
 * vouch for: a \u escape other than JSON.stringify's own (a control character without a short
 * escape, in lower case), or an object key that starts with a digit (JavaScript puts
 * integer-like keys first, so the order could change).
 */
export function compactJson(text: string): string | null {
  const length = text.length;
  // The pieces to keep, joined once at the end: concatenating thousands of them one by one
  // built a rope that cost more to flatten than parsing and writing the answer again.
  const pieces: string[] = [];
  // Start of the run of characters not yet kept in `pieces`.
  let run = 0;
  let index = 0;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      const first = text.charCodeAt(index + 1);
      const digitFirst = first >= ZERO && first <= NINE;
      index += 1;
      for (;;) {
        if (index >= length) return null;
        const inside = text.charCodeAt(index);
        if (inside === QUOTE) break;
        if (inside === BACKSLASH) {
          if (text.charCodeAt(index + 1) === LETTER_U && !isStringifyEscape(text.slice(index + 2, index + 6))) return null;
          index += 2;
          continue;
        }
        index += 1;
      }
      index += 1;
      // A key (a string before a colon) that starts with a digit may be integer-like.
      if (digitFirst && nextToken(text, index) === COLON) return null;
      continue;
    }
    if (isWhitespace(code)) {
      pieces.push(text.slice(run, index));
      index += 1;
      while (index < length && isWhitespace(text.charCodeAt(index))) index += 1;
      run = index;
      continue;
    }
    if (code === MINUS || (code >= ZERO && code <= NINE)) {
      const start = index;
      index += 1;
      let plain = code !== MINUS || (index < length && text.charCodeAt(index) !== ZERO);
      while (index < length && isNumberPart(text.charCodeAt(index))) {
        const part = text.charCodeAt(index);
        if (part < ZERO || part > NINE) plain = false;
        index += 1;
      }
      const digits = index - start - (code === MINUS ? 1 : 0);
      // An integer of up to 15 digits without a leading zero is printed back as it is written.
      if (!plain || digits > 15 || (digits > 1 && text.charCodeAt(index - digits) === ZERO)) {
        const value = Number(text.slice(start, index));
        pieces.push(text.slice(run, start), Number.isFinite(value) ? String(value) : 'null');
        run = index;
      }
      continue;
    }
    index += 1;
  }
  if (run === 0) return text;
  pieces.push(text.slice(run));
  return pieces.join('');
}
