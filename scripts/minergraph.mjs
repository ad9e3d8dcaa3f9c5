#!/usr/bin/env node
// `pnpm minergraph` and `pnpm start`: runs the server's CLI compiled into one file (see
// build-cli.mjs), rebuilt whenever a source file of the workspace is newer than it, so a
// command starts in plain Node without compiling TypeScript each time, and never runs stale code.
// `serve` also rebuilds the explorer page (packages/explorer/build.mjs) when its sources are newer.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'packages/server/build');
const output = join(outdir, 'minergraph.mjs');
const sources = ['packages/server/src', 'packages/schema/src', 'packages/sdk/src'].map((dir) => join(root, dir));
const manifests = [
  'packages/server/package.json',
  'packages/schema/package.json',
  'packages/sdk/package.json',
  'scripts/minergraph.mjs',
  'scripts/build-cli.mjs',
];

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
  const { buildCli } = await import('./build-cli.mjs');
  await buildCli(outdir);
}

// The explorer page the server serves at / (packages/explorer), rebuilt the same way, for `serve`.
if (process.argv[2] === 'serve' && !/^(false|0|no)$/.test(process.env.MINERGRAPH_EXPLORER ?? '')) {
  const explorer = await import('../packages/explorer/build.mjs');
  if (explorer.isStale()) await explorer.buildExplorer();
}

await import(pathToFileURL(output).href);
