import { GraphQLError } from 'graphql';

/** A client mistake in arguments that the schema's types cannot express (a range, a cursor). */
export function badUserInput(message: string, field: readonly string[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}

/**
 * A derived figure the stored facts cannot give, for a field that cannot be null: a percent of
 * a price that rounded to 0 once adjusted, or a quotient beyond what a Float holds.
 */
export function notComputable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_COMPUTABLE' } });
}
