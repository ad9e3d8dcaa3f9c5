import type { ApolloServerPlugin } from '@apollo/server';
import {
  coerceInputValue,
  isInputType,
  Kind,
  typeFromAST,
  type GraphQLError,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';

import { everyRequest } from './every-request.js';

/**
 * The paths inside a variable's value at which graphql-js refuses it, in the order it reports
 * them: `[["points", "12", "high"]]`; `[[]]` when the value itself is refused.
 */
function refusedPaths(schema: GraphQLSchema, definition: VariableDefinitionNode, value: unknown): string[][] {
  const type = typeFromAST(schema, definition.type);
  if (!type || !isInputType(type)) return [];
  const paths: string[][] = [];
  coerceInputValue(value, type, (path) => paths.push(path.map(String)));
  return paths;
}

/**
 * graphql-js names the place of a malformed variable value only in its message ('Variable
 * "$input" got invalid value "x" at "input.points[12].high"; ...'). This puts it in
 * `extensions.field` too, as a mutation's userErrors and a malformed literal's error give it:
 * the variable as the client named it, then the way into its value (["input", "points", "12",
 * "high"]). The way is found again by coercing the same value the same way, which reports the
 * same refusals in the same order, so no message is parsed.
 */
export function variableErrorFields(): ApolloServerPlugin {
  return everyRequest({
    async didEncounterErrors({ errors, request, schema }) {
      const pending = new Map<string, string[][]>();
      for (const error of errors) {
        const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
        if (node?.kind !== Kind.VARIABLE_DEFINITION || error.extensions.code !== 'BAD_USER_INPUT' || 'field' in error.extensions) continue;
        const name = node.variable.name.value;
        let inside: string[] = [];
        // The other variable errors (missing, null for a non-null type) are about the value as a whole.
        if (error.message.startsWith(`Variable "$${name}" got invalid value `)) {
          if (!pending.has(name)) pending.set(name, refusedPaths(schema, node, request.variables?.[name]));
          inside = pending.get(name)!.shift() ?? [];
        }
        (error as { extensions: GraphQLError['extensions'] }).extensions = { ...error.extensions, field: [name, ...inside] };
      }
    },
  });
}
