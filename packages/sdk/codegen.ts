import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `pnpm generate` writes src/_generated from the printed schema and src/operations: the
 * operations' result and variables types, their documents as typed strings (so the client
 * carries no `graphql` runtime), the client's method table, one function per operation
 * (`@minergraph/sdk/operations`) and TanStack Query options per query (`@minergraph/sdk/tanstack`). Never edit the output by hand;
 * the same inputs always give the same bytes.
 */
const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: 'src/operations/*.graphql',
  generates: {
    'src/_generated/graphql.ts': {
      // typescript-operations 6 declares the enums and inputs the operations use itself; the
      // `typescript` plugin beside it would declare them a second time. The local plugin runs it
      // and adds the schema's descriptions to result fields and variables as TSDoc.
      plugins: [
        { './codegen/banner.cjs': { from: '../schema/schema.graphql and src/operations/*.graphql' } },
        './codegen/operations-with-descriptions.cjs',
        'typed-document-node',
      ],
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumType: 'string-literal',
        strictScalars: true,
        scalars: {
          Decimal: '../scalars.js#DecimalString',
          Date: '../scalars.js#DateString',
          DateTime: '../scalars.js#DateTimeString',
        },
        avoidOptionals: { field: true, object: true, inputValue: false, defaultValue: false },
        inlineFragmentTypes: 'combine',
        printFieldsOnNewLines: true,
        pureMagicComment: true,
      },
    },
    'src/_generated/operations.ts': {
      plugins: ['./codegen/operation-methods.cjs'],
      config: { documentsModule: './graphql.js', clientModule: '../client.js' },
    },
    'src/_generated/operation-functions.ts': {
      plugins: ['./codegen/operation-methods.cjs'],
      config: { output: 'functions', documentsModule: './graphql.js', clientModule: '../client.js' },
    },
    'src/_generated/query-options.ts': {
      plugins: ['./codegen/operation-methods.cjs'],
      config: {
        output: 'query-options',
        documentsModule: './graphql.js',
        clientModule: '../client.js',
        queryOptionsModule: '../query-options.js',
      },
    },
  },
};

export default config;
