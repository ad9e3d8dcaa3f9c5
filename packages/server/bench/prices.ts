// pnpm bench:prices — latency of the price queries over HTTP, with a million one-minute rows
// loaded (a synthetic random walk, see synthetic-series.ts), on PostgreSQL and on PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
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
  servedBy: string;
  requests: number;
  p50: number;
  p95: number;
  mean: number;
}

/**
 * The same server twice on the same database: through the resolvers, and with look-ahead (the
 * default, src/look-ahead/), which answers the queries it can compile from one SQL statement.
 */
const SERVED_BY = [
  { name: 'resolvers', lookAhead: false },
  { name: 'look-ahead', lookAhead: true },
] as const;

async function post(url: string, query: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
  if (body.errors || response.status !== 200) throw new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors)}`);
  return text;
}

async function measure(bench: BenchDatabase, file: string): Promise<Result[]> {
  process.stderr.write(`loading ${ROWS.toLocaleString('en-US')} rows into ${bench.label}…\n`);
  await importPriceCsv(bench.database, { file, symbol: SYNTHETIC_SYMBOL });
  // Statistics as autovacuum leaves them a minute after a large import (PGlite has no
  // autovacuum): without them the planner expects a few rows, sorts 44,640 on disk for HOUR
  // candles, and a run measures whichever plan it had when autovacuum happened to pass.
  await sql`analyze`.execute(bench.database.db);
  const servers = await Promise.all(
    SERVED_BY.map(async ({ name, lookAhead }) => {
      const server = await createServer({ database: bench.database, logger: createLogger('silent', false), lookAhead });
      return { name, server, url: await server.listen(0, '127.0.0.1') };
    }),
  );
  const results: Result[] = [];
  try {
    for (const testCase of CASES) {
      const random = seeded(42);
      const query = testCase.query(random);
      const [resolved, ...others] = await Promise.all(servers.map(({ url }) => post(url, query)));
      if (others.some((other) => other !== resolved)) throw new Error(`${testCase.name}: the servers answer differently`);
      // The expected answers assume the full series, which reaches past the ranges asked for.
      if (ROWS >= 1_000_000 && !testCase.check(JSON.parse(resolved!).data))
        throw new Error(`${testCase.name}: unexpected answer ${resolved!.slice(0, 200)}`);
      // One request to each server in turn, the first one alternating, so both see the same load.
      const round = async (i: number, record?: number[][]) => {
        const query = testCase.query(random);
        for (let k = 0; k < servers.length; k += 1) {
          const s = (i + k) % servers.length;
          const started = performance.now();
          await post(servers[s]!.url, query);
          record?.[s]?.push(performance.now() - started);
        }
      };
      const warming = performance.now();
      for (let i = 0; i < WARMUP && performance.now() - warming < WARMUP_BUDGET_MS; i += 1) await round(i);
      const timings = servers.map((): number[] => []);
      const measuring = performance.now();
      for (let i = 0; i < REQUESTS && performance.now() - measuring < CASE_BUDGET_MS; i += 1) await round(i, timings);
      servers.forEach(({ name }, s) => {
        const sorted = timings[s]!.sort((a, b) => a - b);
        results.push({
          engine: bench.label,
          case: testCase.name,
          servedBy: name,
          requests: sorted.length,
          p50: percentile(sorted, 0.5),
          p95: percentile(sorted, 0.95),
          mean: sorted.reduce((sum, t) => sum + t, 0) / sorted.length,
        });
        process.stderr.write(`  ${testCase.name}, ${name}: p50 ${percentile(sorted, 0.5).toFixed(1)} ms\n`);
      });
    }
  } finally {
    await Promise.all(servers.map(({ server }) => server.close()));
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
    `\nPrice queries over HTTP (POST /graphql, sequential, up to ${WARMUP} warm-up rounds and up to ${REQUESTS} measured (${CASE_BUDGET_MS / 1000} s at most) per query, a round being one request to each server in turn), ${ROWS.toLocaleString('en-US')} synthetic one-minute rows, ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log(describeMachine());
  console.log('');
  console.log('| engine | query | served by | requests | p50 ms | p95 ms | mean ms |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.engine} | ${r.case} | ${r.servedBy} | ${r.requests} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.mean.toFixed(1)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
