import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { canonical, isPlainDecimal } from './decimal.js';
import { excerpt } from './text-rules.js';

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Thrown by the scalar parsers; its message is safe to show a client. */
export class ScalarInputError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

export function parseDecimal(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return String(value);
    throw new ScalarInputError(
      `Decimal cannot be the JSON number ${String(value)}: its precision may already be lost; pass decimals as strings, e.g. "0.5".`,
    );
  }
  if (typeof value !== 'string') {
    throw new ScalarInputError('Decimal must be a string such as "7474.6"; pass decimals as strings.');
  }
  if (!isPlainDecimal(value)) {
    throw new ScalarInputError(
      `"${excerpt(value)}" is not a plain decimal: use digits with an optional "-" and "." (no exponent, no thousands separators); pass decimals as strings.`,
    );
  }
  return canonical(value);
}

export function parseDate(value: unknown): string {
  if (typeof value !== 'string') throw new ScalarInputError('Date must be a string in the form YYYY-MM-DD.');
  const match = PLAIN_DATE.exec(value);
  if (!match) throw new ScalarInputError(`"${excerpt(value)}" is not a date in the form YYYY-MM-DD.`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1) {
    throw new ScalarInputError(`${value} is not a day that exists.`);
  }
  return value;
}

export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) {
    throw new ScalarInputError(
      `${typeof value === 'string' ? `"${excerpt(value)}"` : 'The value'} is not an ISO-8601 instant such as "2026-02-09T00:00:00Z" (a time zone is required).`,
    );
  }
  parseDate(value.slice(0, 10));
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw new ScalarInputError(`"${excerpt(value)}" is not an instant that exists.`);
  // An offset can carry 0001-01-01 into year 0, or 9999-12-31 into year 10000, which the
  // database cannot store or compare: instants stay within the years a Date may name.
  const year = instant.getUTCFullYear();
  if (year < 1 || year > 9999) throw new ScalarInputError(`"${excerpt(value)}" is outside the years 0001 to 9999 in UTC.`);
  return instant;
}

/**
 * An invalid literal parses to this marker instead of throwing, so that the
 * literal-scalars validation rule can report it once, naming the argument.
 */
export const INVALID_LITERAL = Symbol('invalid scalar literal');

function literalParser<T>(parse: (value: unknown) => T) {
  return (node: ValueNode): T | typeof INVALID_LITERAL => {
    try {
      if (node.kind === Kind.STRING) return parse(node.value);
      if (node.kind === Kind.INT) return parse(Number(node.value));
      if (node.kind === Kind.FLOAT) return parse(Number(node.value));
    } catch {
      return INVALID_LITERAL;
    }
    return INVALID_LITERAL;
  };
}

export const literalParsers: Record<string, (node: ValueNode) => unknown> = {
  Decimal: (node) =>
    node.kind === Kind.INT && !Number.isSafeInteger(Number(node.value)) ? INVALID_LITERAL : literalParser(parseDecimal)(node),
  Date: literalParser(parseDate),
  DateTime: literalParser(parseDateTime),
};

export const strictParsers: Record<string, (value: unknown) => unknown> = {
  Decimal: parseDecimal,
  Date: parseDate,
  DateTime: parseDateTime,
};

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number as a string in canonical form, e.g. "7474.6".',
  serialize: (value) => canonical(value as string),
  parseValue: parseDecimal,
  parseLiteral: literalParsers.Decimal as (node: ValueNode) => string,
});

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date in UTC, YYYY-MM-DD.',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDate(value);
  },
  parseValue: parseDate,
  parseLiteral: literalParsers.Date as (node: ValueNode) => string,
});

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, ISO-8601 in UTC, e.g. "2026-02-09T00:00:00.000Z".',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: literalParsers.DateTime as (node: ValueNode) => Date,
});
