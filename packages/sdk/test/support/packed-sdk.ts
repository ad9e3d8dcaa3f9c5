import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Asynchronous on purpose: a test's server runs in the same process while these run.
export const run = promisify(execFile);
export const sdkDir = fileURLToPath(new URL('../..', import.meta.url));

const LOCK = join(sdkDir, 'node_modules', '.minergraph-pack.lock');
/** A lock older than this was left by a run that was killed while packing. */
const STALE_LOCK_MS = 3 * 60_000;

/**
 * Runs `work` while no other test file of this machine packs the SDK: `pnpm pack` rebuilds
 * dist/ (tsup empties it first), and two builds at once would pack each other's half-written files.
 */
async function whilePackingAlone<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(LOCK).then(
        (lock) => Date.now() - lock.mtimeMs,
        () => 0,
      );
      if (since > STALE_LOCK_MS) await rm(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/** Packs the SDK as it would be published (`prepack` builds dist first) into `destination`; resolves to the tarball's path. */
export async function packSdk(destination: string): Promise<string> {
  return whilePackingAlone(async () => {
    await run('pnpm', ['pack', '--pack-destination', destination], { cwd: sdkDir });
    return join(destination, (await readdir(destination)).find((name) => name.endsWith('.tgz'))!);
  });
}

/**
 * A plain npm project outside the monorepo, in a new temporary directory, with the packed SDK
 * and `packages` installed from the registry as a user would. Resolves to the project's directory.
 */
export async function projectWithPackedSdk(packages: string[] = [], packageJson: Record<string, unknown> = {}): Promise<string> {
  const packDir = await mkdtemp(join(tmpdir(), 'minergraph-sdk-pack-'));
  const project = await mkdtemp(join(tmpdir(), 'minergraph-sdk-consumer-'));
  try {
    const tarball = await packSdk(packDir);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', ...packageJson }));
    await run('npm', ['install', tarball, ...packages, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
    });
  } finally {
    await rm(packDir, { recursive: true, force: true });
  }
  return project;
}
