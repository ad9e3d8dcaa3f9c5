import SchemaBuilder, { PothosValidationError } from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ValidationPlugin from '@pothos/plugin-validation';
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
  AuthScopes: { editor: boolean; admin: boolean; reader: boolean };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  DefaultFieldNullability: false;
}>({
  // Relay first so scope checks see decoded global ids; scope-auth before the rest so no
  // other plugin runs work for a request that is not allowed.
  plugins: [RelayPlugin, ScopeAuthPlugin, DataloaderPlugin, ComplexityPlugin, ValidationPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    // A connection's own field already multiplies by `first` (pageComplexity); edges must not again.
    edgesFieldOptions: { nullable: false, complexity: { field: 0, multiplier: 1 } },
    nodeFieldOptions: { nullable: false },
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
      reader: context.viewer.role !== null,
      editor: context.viewer.role === 'editor' || context.viewer.role === 'admin',
      admin: context.viewer.role === 'admin',
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
  validation: {
    validationError: (failure) => {
      const issue = failure.issues[0];
      const field = (issue?.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment));
      return clientError('BAD_USER_INPUT', `Invalid ${field.join('.') || 'argument'}: ${issue?.message ?? 'invalid value'}`, { extensions: { field } });
    },
  },
});

function namesObjectType(typename: string): boolean {
  return builder.configStore.hasConfig(typename) && builder.configStore.getTypeConfig(typename).graphqlKind === 'Object';
}

export type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

builder.addScalarType('Decimal', DecimalScalar);
builder.addScalarType('Date', DateScalar);
builder.addScalarType('DateTime', DateTimeScalar);

builder.queryType({});
builder.mutationType({});
