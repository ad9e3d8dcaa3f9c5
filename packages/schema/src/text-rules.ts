/**
 * What text a write may hold. Text is stored exactly as sent or refused, never altered: a
 * lone surrogate would reach the database as U+FFFD, a control character would hide in a name.
 */

export const TEXT_RULE = 'Well-formed Unicode without control characters: other text is refused, never altered.';
export const MULTILINE_TEXT_RULE =
  'Well-formed Unicode without control characters other than tab and line breaks: other text is refused, never altered.';

/** Keys are indexed: a longer one could exceed what a btree entry may hold (about 2.7 kB). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const IDEMPOTENCY_KEY_DESCRIPTION = `Retrying with the same key and input returns the first result and records nothing new; another input with the same key is IDEMPOTENCY_KEY_REUSED. At most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters of well-formed Unicode without control characters, compared exactly as sent.`;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Unicode's control characters (Cc): C0, DEL and C1. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, less tab, line feed and carriage return, which a note may hold. */
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Characters that reorder what follows them: a URL with one can read as another. */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A value as a message quotes it back: its first 40 characters, then "…" if there were more. */
export function excerpt(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

const codePoint = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What is wrong with a text value, as a sentence about the field `name`; null when it is
 * well-formed and free of control characters (`multiline` text may hold tab, LF and CR).
 */
export function textProblem(name: string, value: string, options: { multiline?: boolean } = {}): string | null {
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) return `${name} is not well-formed Unicode: it has a lone surrogate (${codePoint(surrogate[0])}).`;
  const control = (options.multiline ? CONTROL_BUT_LINE_BREAKS : CONTROL).exec(value);
  if (control) return `${name} must not contain control characters; it has ${codePoint(control[0])}.`;
  return null;
}

export const MAX_URL_LENGTH = 2000;

export const SOURCE_URL_RULE =
  'An absolute http:// or https:// URL of at most 2000 characters, without a user name or password, spaces, control or bidirectional-formatting characters. Stored normalised (a non-ASCII host in punycode, e.g. xn--...).';

/** A source URL checked and normalised by the WHATWG URL parser, or why it is refused. */
export function normaliseSourceUrl(name: string, value: string): { url: string } | { problem: string } {
  const refuse = (reason: string) => ({ problem: `${name} ${reason}` });
  if (value.length > MAX_URL_LENGTH) return refuse(`must be at most ${MAX_URL_LENGTH} characters.`);
  const text = textProblem(name, value);
  if (text) return { problem: text };
  const bidi = BIDI_CONTROL.exec(value);
  if (bidi) return refuse(`must not contain bidirectional-formatting characters; it has ${codePoint(bidi[0])}.`);
  if (/\s/.test(value)) return refuse('must not contain spaces; percent-encode them (%20).');
  // The parser reads "https:evil.example" and "https:\\evil.example" as https://evil.example/:
  // a URL is taken only as it would be read, with its "//" written out.
  if (!/^https?:\/\//i.test(value)) return refuse('must be an http(s) URL starting with http:// or https://.');
  if (value.includes('\\')) return refuse('must not contain "\\" (parsers read it as "/").');
  const authority = value.slice(value.indexOf('//') + 2).split(/[/?#]/, 1)[0]!;
  // The parser would take "http:///path" as the host "path".
  if (authority === '') return refuse('must name a host.');
  if (authority.includes('@')) return refuse('must not carry a user name or password ("user:pass@").');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return refuse('is not a URL the WHATWG URL parser accepts.');
  }
  if (parsed.hostname === '') return refuse('must name a host.');
  if (parsed.href.length > MAX_URL_LENGTH) return refuse(`must be at most ${MAX_URL_LENGTH} characters once normalised.`);
  return { url: parsed.href };
}

const SYMBOL_SHAPE = '1 to 12 ASCII letters, digits, "." or "-", starting and ending with a letter or digit';
export const SYMBOL_RULE = `${SYMBOL_SHAPE} (surrounding spaces are ignored); stored upper-case.`;

const SYMBOL = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,10}[A-Za-z0-9])?$/;

/**
 * A ticker or symbol upper-cased, or why it is refused. Only ASCII is taken, so upper-casing
 * never changes a symbol's length or turns another script's letter into a Latin one ("ß" is
 * not "SS", "ı" is not "I").
 */
export function normaliseSymbol(name: string, value: string): { symbol: string } | { problem: string } {
  const trimmed = value.replace(/^ +| +$/g, '');
  if (!SYMBOL.test(trimmed)) return { problem: `${name} must be ${SYMBOL_SHAPE}; it was ${JSON.stringify(value.slice(0, 40))}.` };
  return { symbol: trimmed.toUpperCase() };
}
