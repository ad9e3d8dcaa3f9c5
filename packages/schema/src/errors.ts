import type { GraphQLError } from 'graphql';
import { clientError } from './error-codes.js';

/** A client mistake in arguments that the schema's types cannot express (a range, a cursor). */
export function badUserInput(message: string, field: readonly string[]): GraphQLError {
  return clientError('BAD_USER_INPUT', message, { extensions: { field } });
}

/**
 * A derived figure the stored facts cannot give, for a field that cannot be null: a percent of
 * a price that rounded to 0 once adjusted, or a quotient beyond what a Float holds.
 */
export function notComputable(message: string): GraphQLError {
  return clientError('NOT_COMPUTABLE', message);
}
