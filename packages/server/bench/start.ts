// pnpm bench:start: the first minute of a user, each figure beside PGlite's own time to open
// the same data directory, measured in the same run (this machine is shared and noisy).
//
//   pnpm bench:start [--runs 5]
//
// - PGlite opening the directory (PGlite.create + select 1): the floor no server can beat;
// - warm start to /readyz of `pnpm start` (the compiled CLI) and of the former tsx way;
// - CLI commands beside the running server (through its socket), and alone;
// - the idle server's RSS.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { mib, ms, table } from './report.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;

const COMPILED = [process.execPath, join(ROOT, 'scripts/minergraph.mjs')];
const TSX = [process.execPath, '--import', 'tsx', '--conditions=@minergraph/source', join(ROOT, 'packages/server/src/cli.ts')];

const dir = mkdtempSync(join(tmpdir(), 'minergraph-bench-start-'));
const dataDir = join(dir, 'data');
const env = { ...process.env, MINERGRAPH_DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'development' };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

function timeCommand(command: string[], args: string[]): number {
  const started = performance.now();
  const run = spawnSync(command[0]!, [...command.slice(1), ...args], { cwd: ROOT, env, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return elapsed;
}

async function pgliteOpen(): Promise<number> {
  const started = performance.now();
  const pglite = await PGlite.create(dataDir);
  await pglite.query('select 1');
  const elapsed = performance.now() - started;
  await pglite.close();
  return elapsed;
}

interface Served {
  readyMs: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `serve` and waits until /readyz answers 200. */
async function serve(command: string[]): Promise<Served> {
  const started = performance.now();
  const child = spawn(command[0]!, [...command.slice(1), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (;;) {
    const url = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(out)?.[1];
    if (url) {
      const ready = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
    }
    if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const readyMs = performance.now() - started;
  return {
    readyMs,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

try {
  // A first start creates, migrates and seeds the directory (and builds the compiled CLI).
  await (await serve(COMPILED)).stop();

  const open: number[] = [];
  const compiledStart: number[] = [];
  const tsxStart: number[] = [];
  const beside: number[] = [];
  const besideHelp: number[] = [];
  const alone: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    open.push(await pgliteOpen());
    const served = await serve(COMPILED);
    compiledStart.push(served.readyMs);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    rss.push(rssOf(served.pid));
    beside.push(timeCommand(COMPILED, ['keys', 'list']));
    besideHelp.push(timeCommand(COMPILED, ['--help']));
    await served.stop();
    alone.push(timeCommand(COMPILED, ['keys', 'list']));
    const old = await serve(TSX);
    tsxStart.push(old.readyMs);
    await old.stop();
  }

  const floor = median(open);
  const row = (what: string, values: number[]) => [what, ms(median(values)), (median(values) / floor).toFixed(2)];
  console.log(
    `\npnpm bench:start: median of ${RUNS} runs; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  console.log(
    table(
      ['what', 'ms (median)', 'x PGlite open'],
      [
        row('PGlite.create + select 1 on the data directory (the floor)', open),
        row('warm start to /readyz, compiled (pnpm start)', compiledStart),
        row('warm start to /readyz, tsx over the sources (before)', tsxStart),
        row('keys list beside the running server (socket)', beside),
        row('--help', besideHelp),
        row('keys list with no server (opens PGlite itself)', alone),
      ],
    ),
  );
  console.log(`\nidle RSS of the server 2 s after /readyz: ${mib(median(rss))} MiB (median)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
