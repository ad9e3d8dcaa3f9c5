// `pnpm minergraph serve` as an operator runs it, with MINERGRAPH_WORKERS processes, for
// pnpm bench:load --workers: the real CLI (cluster and all), not createServer in a child.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface ServedCluster {
  url: string;
  stop(): Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `serve` on PostgreSQL with `workers` processes and resolves once every one listens.
 * Production settings (one log line a request, to a file the parent does not read while
 * measuring) with the rate limits off: the load comes from one address.
 */
export async function serveProcesses(databaseUrl: string, workers: number, logLevel: string): Promise<ServedCluster> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'minergraph-bench-serve-'));
  const logFile = join(dir, 'serve.log');
  const child = spawn(process.execPath, [join(ROOT, 'scripts/minergraph.mjs'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: logLevel,
      MINERGRAPH_WORKERS: String(workers),
      MINERGRAPH_RATE_LIMIT_PER_KEY: '0',
      MINERGRAPH_RATE_LIMIT_PER_ADDRESS: '0',
      MINERGRAPH_MAX_CONCURRENT_PER_CLIENT: '0',
    },
    stdio: ['ignore', openSync(logFile, 'a'), 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const log = readFileSync(logFile, 'utf8');
    if ((log.match(/MinerGraph is serving GraphQL/g) ?? []).length >= workers) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve with MINERGRAPH_WORKERS=${workers} did not start: ${log.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
