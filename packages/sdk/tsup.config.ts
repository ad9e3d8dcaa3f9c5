import { defineConfig } from 'tsup';

// dist/index.js (ESM), dist/index.cjs (CommonJS) and their types. The types of
// @graphql-typed-document-node/core (one interface) are copied in, so that the package needs
// no dependencies at all.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  platform: 'neutral',
  target: 'es2022',
  dts: { resolve: ['@graphql-typed-document-node/core'] },
  clean: true,
});
