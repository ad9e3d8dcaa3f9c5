// Serves a query from one compiled SQL statement (compile.ts) when every field it selects can be
// compiled; otherwise Apollo executes it through the resolvers as before. When the database cannot
// be reached, the answer says so as the resolvers' would (DATABASE_UNAVAILABLE at each root field,
// 503 by errorReporting), without a second round of attempts; any other failure of the statement
// (a statement timeout, say) leaves the query to the resolvers. Runs after admission (limits,
// auth, rate limits), read routing and the response cache, as execution would.
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import { getVariableValues, GraphQLError, Kind, type FragmentDefinitionNode, type GraphQLFormattedError } from 'graphql';
import type { CompiledQuery, Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/database.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Logger } from '../logger.js';
import type { RequestContext } from '../http/app.js';
import { everyRequest } from '../http/every-request.js';
import { compileQuery } from './compile.js';
import { compactJson, JsonText } from './json-text.js';
import { NotCompilable } from './selection.js';

/** Plans kept: one per operation text, operation name, variables and day. */
const PLANS = 1000;

export interface LookAheadOptions {
  /** The database the request's reads go to (read-routing.ts may have chosen the replica). */
  dbFor(context: RequestContext): Kysely<Database>;
  /** Words an error as every answer does (http/errors.ts). */
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  logger: Logger;
}

interface Plan {
  /** The answer's `data` as PostgreSQL's JSON text (passed through, see json-text.ts). */
  query: CompiledQuery<{ data: string }>;
  roots: { key: string; typename: boolean; nonNull: boolean }[];
}

export function lookAhead(options: LookAheadOptions): ApolloServerPlugin<RequestContext> {
  // null: this operation is not compilable, known without walking it again.
  const plans = new LRUCache<string, Plan | 'resolvers'>({ max: PLANS });
  return everyRequest({
    async responseForOperation({ operation, document, request, contextValue, queryHash, operationName, schema }) {
      // Apollo calls this even when operationName names no operation (its types say otherwise);
      // execution then reports that in its own words.
      if (operation?.operation !== 'query') return null;
      const db = options.dbFor(contextValue);
      const key = `${queryHash}\n${operationName ?? ''}\n${contextValue.today}\n${JSON.stringify(request.variables ?? {})}`;
      let plan = plans.get(key);
      if (plan === undefined) {
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
        // Variables graphql-js would refuse: it reports them, in its words.
        if (coerced.errors) return null;
        const fragments: Record<string, FragmentDefinitionNode> = {};
        for (const definition of document.definitions) {
          if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
        }
        try {
          const compiled = compileQuery(schema, operation, fragments, coerced.coerced, contextValue.today);
          plan = { query: compiled.sql.compile(db) as CompiledQuery<{ data: string }>, roots: compiled.roots };
        } catch (error) {
          if (!(error instanceof NotCompilable)) throw error;
          plan = 'resolvers';
        }
        plans.set(key, plan);
      }
      if (plan === 'resolvers') return null;
      let text: string;
      try {
        text = (await db.executeQuery(plan.query)).rows[0]!.data;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) return null;
        options.logger.warn({ err: error, requestId: contextValue.requestId, operationName }, 'database unavailable');
        return unavailable(plan, error, options.formatError);
      }
      // As JSON.stringify would write it; what this does not vouch for is parsed, as before.
      const compact = compactJson(text);
      const data = compact === null ? JSON.parse(text) : new JsonText(compact);
      const response: GraphQLResponse = {
        body: { kind: 'single', singleResult: { data: data as Record<string, unknown> } },
        http: { status: undefined, headers: new HeaderMap() },
      };
      return response;
    },
  });
}

/**
 * What the resolvers answer when the database cannot be reached: an error at each root field
 * (DATABASE_UNAVAILABLE, worded by formatError; errorReporting adds the request id, 503 and
 * Retry-After), and data null, or each root field null when all of them may be.
 */
function unavailable(plan: Plan, error: unknown, formatError: LookAheadOptions['formatError']): GraphQLResponse {
  const errors = plan.roots
    .filter((root) => !root.typename)
    .map((root) => {
      const graphqlError = new GraphQLError('The database is not answering.', { path: [root.key], originalError: error as Error });
      return formatError(graphqlError.toJSON(), graphqlError);
    });
  const data = plan.roots.some((root) => root.nonNull)
    ? null
    : Object.fromEntries(plan.roots.map((root) => [root.key, root.typename ? 'Query' : null]));
  return { body: { kind: 'single', singleResult: { data, errors } }, http: { status: undefined, headers: new HeaderMap() } };
}
