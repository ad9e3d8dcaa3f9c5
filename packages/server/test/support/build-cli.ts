import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The CLI compiled from the current sources, as `pnpm minergraph` runs it. */
    cliEntry: string;
  }
}

/**
 * Global setup: compiles the CLI once per run (each project gets its own copy) into
 * packages/server/.test-cli, so tests start it as users do, in plain Node, without compiling
 * TypeScript in every child process.
 */
export default async function setup(project: TestProject) {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const outdir = join(root, 'packages/server/.test-cli', `${project.name}-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  const { buildCli } = (await import(join(root, 'scripts/build-cli.mjs'))) as { buildCli(outdir: string): Promise<string> };
  project.provide('cliEntry', await buildCli(outdir));
  return () => rmSync(outdir, { recursive: true, force: true });
}
