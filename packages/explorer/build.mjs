// Bundles the explorer page (src/main.ts, its CSS and uPlot's) with esbuild into `outdir`:
// one script and one stylesheet named by their content hash, and manifest.json naming them, which
// the server reads to write the page. Everything the page needs is in these files: it loads
// nothing from any other host. `pnpm start` (scripts/minergraph.mjs) runs it when a source is
// newer than the build; the tests run it into a folder of their own.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = fileURLToPath(new URL('.', import.meta.url));

/** Where `pnpm start` and the server look for the built page by default. */
export const DEFAULT_OUTDIR = join(packageDir, 'dist');

/** The files whose change makes a build stale: the page's sources, the SDK it bundles, and this script. */
export const SOURCE_PATHS = [
  join(packageDir, 'src'),
  join(packageDir, '../sdk/src'),
  join(packageDir, 'build.mjs'),
  join(packageDir, 'package.json'),
];

/** The newest modification time among SOURCE_PATHS (ms). */
export function newestSourceChange() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of SOURCE_PATHS) visit(path);
  return newest;
}

/** True when `outdir` holds no build, or one older than a source. */
export function isStale(outdir = DEFAULT_OUTDIR) {
  try {
    return statSync(join(outdir, 'manifest.json')).mtimeMs < newestSourceChange();
  } catch {
    return true;
  }
}

/**
 * Builds the page into `outdir`, replacing what was there only once the new build is complete
 * (it is written beside it first), so a server reading the folder never sees half a build.
 * Resolves to the manifest: `{ script, stylesheet }`, file names inside `outdir`.
 */
export async function buildExplorer(outdir = DEFAULT_OUTDIR) {
  const staging = join(dirname(outdir), `.${basename(outdir)}-${process.pid}-${Date.now()}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const result = await build({
      entryPoints: { explorer: join(packageDir, 'src/main.ts') },
      outdir: staging,
      entryNames: '[name]-[hash]',
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      sourcemap: false,
      // The SDK's TypeScript sources, as the workspace resolves it everywhere else.
      conditions: ['@minergraph/source'],
      metafile: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
    const script = outputs.find((name) => name.endsWith('.js'));
    const stylesheet = outputs.find((name) => name.endsWith('.css'));
    if (!script || !stylesheet) throw new Error(`the explorer build wrote ${outputs.join(', ')}, not one script and one stylesheet`);
    const manifest = { script, stylesheet };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const manifest = await buildExplorer(process.argv[2] ?? DEFAULT_OUTDIR);
  console.log(`built the explorer: ${manifest.script}, ${manifest.stylesheet}`);
}
