import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Database tests (`*.db.test.ts`) run once per database engine: always on the embedded
// PGlite, and on PostgreSQL too when TEST_DATABASE_URL names a server. Every other test
// runs once. Each test file gets its own database (see packages/test-support).
// Pure unit tests (`test/unit/`) form the `fast` project: no database, no built CLI, no
// global setup, so `pnpm test:fast` answers in seconds; `pnpm test` runs them too.
//
// Tests always run the workspace's sources, never a compiled dist/ (a clean clone has none,
// and a stale one would test old code): the workspace packages are aliased to their src/.
// graphql 16 ships ESM (.mjs) beside CommonJS; Vite would pick the .mjs for our sources
// while Node loads the CommonJS copy for Apollo and Pothos, and graphql refuses to mix two
// copies. Node's choice, everywhere.
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const shared = {
  resolve: {
    conditions: ['@minergraph/source'],
    alias: [
      { find: /^graphql$/, replacement: 'graphql/index.js' },
      { find: /^@minergraph\/schema$/, replacement: source('packages/schema/src/index.ts') },
      { find: /^@minergraph\/sdk$/, replacement: source('packages/sdk/src/index.ts') },
      // The server's modules that test-support imports, as sources: a clean clone has no dist/,
      // and vitest's global setup resolves without the @minergraph/source condition.
      { find: /^@minergraph\/server\/(?!persisted-operations\.json$)(.*)$/, replacement: `${source('packages/server/src/')}$1.ts` },
    ],
  },
  ssr: { resolve: { conditions: ['@minergraph/source'] } },
};

const FAST_TESTS = 'packages/*/test/unit/**/*.test.ts';
const engines = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  ...shared,
  test: {
    // vitest's default is one worker fewer than the cores: one on a 2-core machine, where the
    // files then ran one after another. Two took the CI run from 1,141 s to 1,049 s: the files
    // are mostly CPU-bound (PGlite starts, CLI processes, a browser), so the rest of the way
    // under 15 minutes is making the slow files cheaper. Each file has its own database.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        ...shared,
        test: {
          name: 'fast',
          include: [FAST_TESTS],
          exclude: ['**/*.db.test.ts', '**/node_modules/**'],
        },
      },
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['**/*.db.test.ts', FAST_TESTS, '**/node_modules/**'],
          globalSetup: ['packages/server/test/support/build-cli.ts'],
          testTimeout: 60_000,
        },
      },
      ...engines.map((engine) => ({
        ...shared,
        test: {
          name: engine,
          include: ['packages/*/test/**/*.db.test.ts'],
          env: { MINERGRAPH_TEST_ENGINE: engine },
          globalSetup: ['packages/server/test/support/build-cli.ts', 'packages/test-support/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      })),
    ],
  },
});
