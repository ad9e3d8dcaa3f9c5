// Serves a query from one compiled SQL statement (compile.ts) when every field it selects can be
// compiled; otherwise, or when that statement fails, Apollo executes it through the resolvers as
// before, which then answer (or report the failure) in their usual words. Runs after admission
// (limits, auth, rate limits), read routing and the response cache, as execution would.
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import { getVariableValues, Kind, type FragmentDefinitionNode } from 'graphql';
import type { CompiledQuery, Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/database.js';
import type { RequestContext } from '../http/app.js';
import { compileQuery } from './compile.js';
import { NotCompilable } from './selection.js';

/** Plans kept: one per operation text, operation name, variables and day. */
const PLANS = 1000;

export interface LookAheadOptions {
  /** The database the request's reads go to (read-routing.ts may have chosen the replica). */
  dbFor(context: RequestContext): Kysely<Database>;
  /** Counts the queries served compiled and those executed by resolvers (metrics, bench). */
  count?(outcome: 'compiled' | 'resolvers'): void;
}

export function lookAhead(options: LookAheadOptions): ApolloServerPlugin<RequestContext> {
  // null: this operation is not compilable, known without walking it again.
  const plans = new LRUCache<string, CompiledQuery<{ data: unknown }> | 'resolvers'>({ max: PLANS });
  return {
    async requestDidStart() {
      return {
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
              plan = compileQuery(schema, operation, fragments, coerced.coerced, contextValue.today).sql.compile(db) as CompiledQuery<{
                data: unknown;
              }>;
            } catch (error) {
              if (!(error instanceof NotCompilable)) throw error;
              plan = 'resolvers';
            }
            plans.set(key, plan);
          }
          if (plan === 'resolvers') {
            options.count?.('resolvers');
            return null;
          }
          let data: unknown;
          try {
            data = (await db.executeQuery(plan)).rows[0]!.data;
          } catch {
            // The resolvers meet the same failure (the database is down, a statement timed out)
            // and report it as every other query does.
            return null;
          }
          options.count?.('compiled');
          const response: GraphQLResponse = {
            body: { kind: 'single', singleResult: { data: data as Record<string, unknown> } },
            http: { status: undefined, headers: new HeaderMap() },
          };
          return response;
        },
      };
    },
  };
}
