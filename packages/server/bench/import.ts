// pnpm bench:import — how fast `minergraph prices import` loads a million rows, on each engine.
// The rows are a synthetic random walk (see synthetic-series.ts), never real prices.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPriceCsv } from '../src/prices/import.js';
import { describeMachine, freshPglite, freshPostgres, type BenchDatabase } from './bench-databases.js';
import { SYNTHETIC_SYMBOL, writeSyntheticSeries } from './synthetic-series.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
// The machine may be shared: each engine's run says how busy it was.
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Timing {
  seconds: number;
  /**
   * Reading, checking and COPYing, which overlap: into price_observations for a first import
   * (the statement's triggers included), into the staging table otherwise.
   */
  copy: number;
  /** What follows the COPY: the statement that merges the staging table into price_observations, and the commit. */
  merge: number;
  count: number;
}

interface Run {
  engine: string;
  first: Timing;
  again: Timing;
  /** Load averages (1, 5, 15 minutes) at the start and at the end. */
  load: [string, string];
}

async function timed(bench: BenchDatabase, file: string, counted: 'inserted' | 'unchanged'): Promise<Timing> {
  const started = performance.now();
  let copied = started;
  const summary = await importPriceCsv(bench.database, {
    file,
    symbol: SYNTHETIC_SYMBOL,
    onProgress: (progress) => {
      // The whole file read and COPYed; a staged import says 'merging' right after.
      if (progress.phase === 'reading' && progress.bytesRead === progress.totalBytes) copied = performance.now();
    },
  });
  const ended = performance.now();
  return {
    seconds: (ended - started) / 1000,
    copy: (copied - started) / 1000,
    merge: (ended - copied) / 1000,
    count: summary[counted],
  };
}

async function timeImport(bench: BenchDatabase, file: string): Promise<Run> {
  const loadAtStart = loadAverage();
  const first = await timed(bench, file, 'inserted');
  // The same file again: every row is compared and none rewritten.
  const again = await timed(bench, file, 'unchanged');
  return { engine: bench.label, first, again, load: [loadAtStart, loadAverage()] };
}

const dir = mkdtempSync(join(tmpdir(), 'minergraph-bench-import-'));
try {
  const generated = performance.now();
  const file = await writeSyntheticSeries(dir, ROWS);
  const size = statSync(file).size;
  process.stderr.write(
    `generated ${file} (${(size / 1024 ** 2).toFixed(1)} MiB) in ${((performance.now() - generated) / 1000).toFixed(1)} s\n`,
  );

  const runs: Run[] = [];
  for (const open of [freshPostgres, freshPglite]) {
    const bench = await open();
    try {
      process.stderr.write(`importing into ${bench.label}…\n`);
      runs.push(await timeImport(bench, file));
    } finally {
      await bench.destroy();
    }
  }

  const rate = (rows: number, seconds: number) => Math.round(rows / seconds).toLocaleString('en-US');
  console.log(
    `\nImport of ${ROWS.toLocaleString('en-US')} synthetic one-minute rows (${(size / 1024 ** 2).toFixed(1)} MiB CSV), ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log(describeMachine());
  console.log('');
  console.log('| engine | import | rows | total | rows/s | read, check, COPY | merge and commit |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const run of runs) {
    for (const [label, timing, counted] of [
      ['into an empty table', run.first, 'inserted'],
      ['the same file again', run.again, 'unchanged'],
    ] as const) {
      console.log(
        `| ${run.engine} | ${label} | ${timing.count.toLocaleString('en-US')} ${counted} | ${timing.seconds.toFixed(2)} s | ${rate(ROWS, timing.seconds)} ` +
          `| ${timing.copy.toFixed(2)} s | ${timing.merge.toFixed(2)} s |`,
      );
    }
  }
  console.log('');
  for (const run of runs) console.log(`${run.engine}: load average ${run.load[0]} at the start, ${run.load[1]} at the end`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
