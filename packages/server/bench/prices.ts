// pnpm bench:prices — latency of the price queries over HTTP, with a million one-minute rows
// loaded (a synthetic random walk, see synthetic-series.ts), on PostgreSQL and on PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { importPriceCsv } from '../src/prices/import.js';
import { describeMachine, freshPglite, freshPostgres, type BenchDatabase } from './bench-databases.js';
import { SYNTHETIC_START, SYNTHETIC_SYMBOL, writeSyntheticSeries } from './synthetic-series.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
/** A slow case stops early rather than run for many minutes; the table says how many it made. */
const CASE_BUDGET_MS = Number(process.env.BENCH_CASE_SECONDS ?? 60) * 1000;
const WARMUP = 20;
const WARMUP_BUDGET_MS = 10_000;
const MINUTE_MS = 60_000;

const YEAR = { from: '2024-06-01T00:00:00Z', to: '2025-06-01T00:00:00Z' };
const MONTH = { from: '2025-03-01T00:00:00Z', to: '2025-04-01T00:00:00Z' };

interface Case {
  name: string;
  /** A fresh query for each request (priceAt asks about a different instant each time). */
  query(random: () => number): string;
  /** What a correct answer holds, checked once, so a broken query cannot look fast. */
  check(data: any): boolean;
}

const asset = (fields: string) => `{ asset(symbol: "${SYNTHETIC_SYMBOL}") { ${fields} } }`;

const CASES: Case[] = [
  {
    name: 'candles(interval: DAY) over a year',
    query: () => asset(`candles(from: "${YEAR.from}", to: "${YEAR.to}", interval: DAY) { start open high low close volume }`),
    check: (data) => data.asset.candles.length === 365,
  },
  {
    name: 'candles(interval: HOUR) over a month',
    query: () => asset(`candles(from: "${MONTH.from}", to: "${MONTH.to}", interval: HOUR) { start open high low close volume }`),
    check: (data) => data.asset.candles.length === 31 * 24,
  },
  {
    name: 'change(from, to) over the year',
    query: () =>
      asset(`change(from: "${YEAR.from}", to: "${YEAR.to}") { from { at priceUsd } to { at priceUsd } changeUsd changePercent high low }`),
    check: (data) => data.asset.change.from.at === '2024-06-01T00:00:00.000Z' && data.asset.change.to.at === '2025-06-01T00:00:00.000Z',
  },
  {
    name: 'priceAt(at) at a random instant',
    query: (random) => {
      const at = new Date(SYNTHETIC_START.getTime() + Math.floor(random() * ROWS * MINUTE_MS)).toISOString();
      return asset(`priceAt(at: "${at}") { at priceUsd }`);
    },
    check: (data) => typeof data.asset.priceAt.priceUsd === 'string',
  },
];

interface Result {
  engine: string;
  case: string;
  requests: number;
  p50: number;
  p95: number;
  mean: number;
}

async function post(url: string, query: string): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (body.errors || response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function measure(bench: BenchDatabase, file: string): Promise<Result[]> {
  process.stderr.write(`loading ${ROWS.toLocaleString('en-US')} rows into ${bench.label}…\n`);
  await importPriceCsv(bench.database, { file, symbol: SYNTHETIC_SYMBOL });
  const server = await createServer({ database: bench.database, logger: createLogger('silent', false) });
  const url = await server.listen(0, '127.0.0.1');
  const results: Result[] = [];
  try {
    for (const testCase of CASES) {
      const random = seeded(42);
      const answer = await post(url, testCase.query(random));
      // The expected answers assume the full series, which reaches past the ranges asked for.
      if (ROWS >= 1_000_000 && !testCase.check(answer))
        throw new Error(`${testCase.name}: unexpected answer ${JSON.stringify(answer).slice(0, 200)}`);
      const warming = performance.now();
      for (let i = 0; i < WARMUP && performance.now() - warming < WARMUP_BUDGET_MS; i += 1) await post(url, testCase.query(random));
      const timings: number[] = [];
      const measuring = performance.now();
      for (let i = 0; i < REQUESTS && performance.now() - measuring < CASE_BUDGET_MS; i += 1) {
        const query = testCase.query(random);
        const started = performance.now();
        await post(url, query);
        timings.push(performance.now() - started);
      }
      timings.sort((a, b) => a - b);
      results.push({
        engine: bench.label,
        case: testCase.name,
        requests: timings.length,
        p50: percentile(timings, 0.5),
        p95: percentile(timings, 0.95),
        mean: timings.reduce((sum, t) => sum + t, 0) / timings.length,
      });
      process.stderr.write(`  ${testCase.name}: p50 ${percentile(timings, 0.5).toFixed(1)} ms\n`);
    }
  } finally {
    await server.close();
  }
  return results;
}

/** Nearest-rank percentile of sorted timings. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'minergraph-bench-prices-'));
try {
  const file = await writeSyntheticSeries(dir, ROWS);
  const results: Result[] = [];
  for (const open of [freshPostgres, freshPglite]) {
    const bench = await open();
    try {
      results.push(...(await measure(bench, file)));
    } finally {
      await bench.destroy();
    }
  }
  console.log(
    `\nPrice queries over HTTP (POST /graphql, sequential, up to ${WARMUP} warm-up requests and up to ${REQUESTS} measured (${CASE_BUDGET_MS / 1000} s at most) per query), ${ROWS.toLocaleString('en-US')} synthetic one-minute rows, ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log(describeMachine());
  console.log('');
  console.log('| engine | query | requests | p50 ms | p95 ms | mean ms |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.engine} | ${r.case} | ${r.requests} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.mean.toFixed(1)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
