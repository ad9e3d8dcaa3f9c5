// Compiles the server's CLI (packages/server/src/cli.ts) with esbuild into one ESM entry plus
// chunks in `outdir`. Used by scripts/minergraph.mjs (pnpm start, pnpm minergraph) and by the
// tests, which run the CLI as users do.
import { rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds the CLI into `outdir` (emptied first); resolves to the entry file's path. */
export function buildCli(outdir) {
  return buildServerEntry(join(root, 'packages/server/src/cli.ts'), outdir, 'minergraph');
}

/**
 * Builds `entry` (a TypeScript file of a checkout's packages/server) as the CLI is built, into
 * `outdir` (emptied first, inside that packages/server) as `<name>.mjs`; resolves to its path.
 * The benchmarks serve from such a build, the code production runs, not from tsx.
 */
export async function buildServerEntry(entry, outdir, name) {
  const output = join(outdir, `${name}.mjs`);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [entry],
    outdir,
    entryNames: name,
    outExtension: { '.js': '.mjs' },
    // Commands import what they need when they run: --help or a key never loads Apollo.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    conditions: ['@minergraph/source'],
    logLevel: 'warning',
    // CommonJS packages compiled into ESM still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __minergraphRequire } from 'node:module'; const require = __minergraphRequire(import.meta.url);",
    },
    plugins: [
      {
        // Most dependencies are compiled in too: loading one file is much faster than Node
        // resolving and reading a thousand. A few must stay files in node_modules: PGlite
        // (its WebAssembly sits beside its code), pino (it starts transports by file name),
        // pg's optional native binding, and @apollo/utils.createhash (it uses node:crypto only
        // where CommonJS's module.require exists; compiled in, it fell back to sha.js, which
        // hashed each request's query in JavaScript: 18 µs for a 1 kB query instead of 1.7). They are found from the importing package as Node
        // would (pnpm gives each package its own dependencies) and imported by a path relative
        // to the output, which must lie inside packages/server: the code finds its assets (the
        // playground's, the SDK's manifest) by resolving packages from there.
        name: 'external-dependencies',
        setup(builder) {
          builder.onResolve(
            { filter: /^(@electric-sql\/pglite|pino|pino-pretty|pg-native|@apollo\/utils\.createhash)(\/|$)/ },
            async (args) => {
              if (args.pluginData === 'inner') return undefined;
              const found = await builder.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
              if (found.errors.length > 0) return { path: args.path, external: true };
              return { path: `./${relative(dirname(output), found.path)}`, external: true };
            },
          );
        },
      },
    ],
  });
  return output;
}
