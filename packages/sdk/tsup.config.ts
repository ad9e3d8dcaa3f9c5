import { defineConfig } from 'tsup';

// dist/index.js (ESM), dist/index.cjs (CommonJS) and their types, and likewise the subpaths
// ./operations and ./tanstack; their shared code goes into chunks, so that a bundler importing
// one subpath beside the other gets one copy. The types of
// @graphql-typed-document-node/core (one interface) are copied in, so that the package needs
// no dependencies at all.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    operations: 'src/operation-functions.ts',
    tanstack: 'src/tanstack.ts',
    subscriptions: 'src/subscriptions.ts',
  },
  // graphql-ws's client (MIT, no dependencies of its own) goes into dist/subscriptions, so the package still needs none.
  noExternal: ['graphql-ws'],
  format: ['esm', 'cjs'],
  platform: 'neutral',
  target: 'es2022',
  dts: { resolve: ['@graphql-typed-document-node/core', 'graphql-ws'] },
  clean: true,
});
