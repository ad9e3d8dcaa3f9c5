import SchemaBuilder, { PothosValidationError } from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import type { Context } from './context.js';
import { clientError } from './error-codes.js';
import { DateScalar, DateTimeScalar, DecimalScalar } from './scalars.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    Decimal: { Input: string; Output: string };
    Date: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string | number };
  };
  AuthScopes: { editor: boolean };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  DefaultFieldNullability: false;
}>({
  // Relay first so scope checks see decoded global ids; scope-auth before the rest so no
  // other plugin runs work for a request that is not allowed.
  plugins: [RelayPlugin, ScopeAuthPlugin, DataloaderPlugin, ComplexityPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    // A connection's own field already multiplies by `first` (pageComplexity); edges must not again.
    edgesFieldOptions: {
      nullable: false,
      complexity: { field: 0, multiplier: 1 },
      description: "The page's rows, in the connection's order.",
    },
    nodeFieldOptions: { nullable: false, description: 'The row.' },
    cursorFieldOptions: { description: 'Where this row is: pass it as `after` for the rows that follow it.' },
    pageInfoFieldOptions: { description: 'Where the page is, and whether more rows follow.' },
    pageInfoTypeOptions: { description: 'Where a page of a connection is.' },
    hasNextPageFieldOptions: { description: 'True when more rows follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when the page was asked for with `after`, so rows come before it.' },
    startCursorFieldOptions: { description: "The first row's cursor; null for an empty page." },
    endCursorFieldOptions: { description: "The last row's cursor, to pass as `after` for the next page; null for an empty page." },
    nodeTypeOptions: { description: 'An object with a global id, which node(id:) fetches again.' },
    idFieldOptions: {
      description: 'The global id: opaque and stable; node(id:) fetches the object again, and mutations take it (companyId, loanId).',
    },
    nodeQueryOptions: {
      description: 'The object with this global id, of whatever type; null when none has it.',
      args: { id: { description: 'A global id, as an `id` field gave it.' } },
    },
    brandLoadedObjects: true,
    // An id that decodes but names no object type ("Nope:1", "Query:1") is as malformed as one
    // that does not decode: refused as such, not an internal error while looking the type up.
    decodeGlobalID: (globalID) => {
      const decoded = decodeGlobalID(globalID);
      if (!namesObjectType(decoded.typename)) throw new PothosValidationError(`Invalid global ID: ${globalID}`);
      return decoded;
    },
  },
  scopeAuth: {
    authScopes: (context) => ({
      editor: context.viewer.role === 'editor' || context.viewer.role === 'admin',
    }),
    unauthorizedError: (_parent, context) =>
      context.viewer.role === null
        ? clientError('UNAUTHENTICATED', 'This needs an API key: send "Authorization: Bearer <key>".')
        : clientError('FORBIDDEN', `The "${context.viewer.role}" role may not do this; it needs an editor key.`),
  },
  // Field costs live here; the server checks the totals against its limits before execution.
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
  },
});

function namesObjectType(typename: string): boolean {
  return builder.configStore.hasConfig(typename) && builder.configStore.getTypeConfig(typename).graphqlKind === 'Object';
}

export type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

builder.addScalarType('Decimal', DecimalScalar);
builder.addScalarType('Date', DateScalar);
builder.addScalarType('DateTime', DateTimeScalar);

builder.queryType({ description: 'Reads. Public unless the server requires an API key for every request.' });
builder.mutationType({
  description: 'Writes. Each needs an API key with the editor role; an expected failure is in userErrors, and then nothing was written.',
});
