#!/usr/bin/env node
// `pnpm minergraph` and `pnpm start`: runs the server's CLI as one compiled file, rebuilt
// (in well under a second) whenever a source file of the workspace is newer than it, so a
// command starts in plain Node without compiling TypeScript each time, and never runs stale code.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'packages/server/src/cli.ts');
const output = join(root, 'packages/server/build/minergraph.mjs');
const sources = ['packages/server/src', 'packages/schema/src', 'packages/sdk/src'].map((dir) => join(root, dir));
const manifests = ['packages/server/package.json', 'packages/schema/package.json', 'packages/sdk/package.json', 'scripts/minergraph.mjs'];

function newestChange() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const dir of sources) visit(dir);
  for (const file of manifests) visit(join(root, file));
  return newest;
}

function builtAt() {
  try {
    return statSync(output).mtimeMs;
  } catch {
    return -1;
  }
}

if (builtAt() < newestChange()) {
  const { build } = await import('esbuild');
  rmSync(dirname(output), { recursive: true, force: true });
  await build({
    entryPoints: [entry],
    outdir: dirname(output),
    entryNames: 'minergraph',
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
    banner: { js: "import { createRequire as __minergraphRequire } from 'node:module'; const require = __minergraphRequire(import.meta.url);" },
    plugins: [
      {
        // Most dependencies are compiled in too: loading one file is much faster than Node
        // resolving and reading a thousand. A few must stay files in node_modules: PGlite
        // (its WebAssembly sits beside its code), pino (it starts transports by file name), and
        // pg's optional native binding. They are found from the importing package as Node
        // would (pnpm gives each package its own dependencies) and imported by relative path.
        name: 'external-dependencies',
        setup(builder) {
          builder.onResolve({ filter: /^(@electric-sql\/pglite|pino|pino-pretty|pg-native)(\/|$)/ }, async (args) => {
            if (args.pluginData === 'inner') return undefined;
            const found = await builder.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
            if (found.errors.length > 0) return { path: args.path, external: true };
            return { path: `./${relative(dirname(output), found.path)}`, external: true };
          });
        },
      },
    ],
  });
}

await import(pathToFileURL(output).href);
