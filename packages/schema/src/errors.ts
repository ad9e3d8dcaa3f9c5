import { GraphQLError } from 'graphql';

/** A client mistake in arguments that the schema's types cannot express (a range, a cursor). */
export function badUserInput(message: string, field: readonly string[]): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}
