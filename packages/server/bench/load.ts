// pnpm bench:load — mixed reads and writes from many concurrent clients against the real
// server, in a child process of its own, on a fresh database (PostgreSQL; --pglite for the
// embedded one) with the seed facts. Reports errors (which must be 0), throughput, latency, and
// the server's memory before, during and after, to show whether it grows.
//
//   pnpm bench:load [--seconds 60] [--connections 50] [--pglite] [--log-level info]
//                   [--sample-seconds 5] [--gc-samples]
//   pnpm bench:load --workers 1,2 [--seconds 60] [--connections 50]
//
// With --workers, the same load runs against `pnpm minergraph serve` itself once for each
// MINERGRAPH_WORKERS value listed (PostgreSQL only), and the report compares their throughput.
//
// A soak is the same run, longer: `pnpm bench:load --seconds 600 --sample-seconds 15 --gc-samples`
// takes every memory sample after two forced collections, so the trend is that of the memory
// that survives GC (what a leak would grow), not of the garbage between collections.
import { randomBytes } from 'node:crypto';
import { migrateToLatest } from '../src/db/migrate.js';
import { createApiKey } from '../src/repositories/api-key.repository.js';
import { insertAsset } from '../src/repositories/asset.repository.js';
import { seed } from '../src/seed/seed.js';
import { describeMachine, freshTarget, startServedProcess, withTarget, type Memory } from './bench-target.js';
import { callOnce, cannon, graphqlBody, type Call } from './cannon.js';
import { DASHBOARD_QUERY } from './dashboard.js';
import { flag, option, textOption } from './options.js';
import { mib, ms, table } from './report.js';
import { serveProcesses } from './serve-processes.js';
import { loadavg } from 'node:os';

const SECONDS = option('seconds', 60);
const CONNECTIONS = option('connections', 50);
const SAMPLE_EVERY_MS = option('sample-seconds', 5) * 1000;
const GC_SAMPLES = flag('gc-samples');
const LOAD_ASSET = 'LOADSYN';
const WORKER_COUNTS = textOption('workers', '')
  .split(',')
  .filter((count) => count.trim() !== '')
  .map((count) => {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--workers takes process counts separated by commas, e.g. --workers 1,2; got ${JSON.stringify(count)}`);
    return n;
  });
if (WORKER_COUNTS.length > 0 && flag('pglite')) throw new Error('--workers needs PostgreSQL: PGlite is served by one process.');

// The founding story's questions (README.md), whole and in parts.
const STORY = `{
  company(ticker: "CANG") {
    name
    holdings(on: "2026-02-09") { btc valueUsd anchor { on btc source { title url } } }
    treasuryFlow(from: "2026-01-01", to: "2026-01-31") { openingBtc minedBtc soldBtc closingBtc unexplainedBtc }
    treasuryTransactions(first: 1, filter: { kinds: [SOLD] }) { edges { node { btc usd averagePriceUsd occurredOn source { publisher } } } }
    loans { repaidUsd outstandingUsd ltv marginCallPriceUsd repayments { amountUsd fundedBy { btc } } }
  }
  asset(symbol: "BTC") { allTimeHigh { at priceUsd } drawdownFromAllTimeHigh }
}`;
const HOLDINGS = '{ company(ticker: "CANG") { holdings(on: "2026-02-09") { btc valueUsd percentOfSupply pledgedBtc } } }';
const FLOW =
  '{ company(ticker: "CANG") { treasuryFlow(from: "2026-01-01", to: "2026-01-31") { openingBtc minedBtc soldBtc closingBtc unexplainedBtc averageSalePriceUsd } } }';
const PRICES =
  '{ asset(symbol: "CANG") { latestPrice { at priceUsd } change(from: "2025-08-09T00:00:00Z") { changePercent } } btc: asset(symbol: "BTC") { drawdownFromAllTimeHigh } }';
const RECORD_MINED = `mutation ($input: RecordTreasuryTransactionInput!) {
  recordTreasuryTransaction(input: $input) { transaction { id balanceAfterBtc } userErrors { code message } } }`;
const RECORD_PRICES = `mutation ($input: RecordPricesInput!) {
  recordPrices(input: $input) { inserted updated userErrors { code message } } }`;

function calls(companyId: string, editor: Record<string, string>): Call[] {
  const run = randomBytes(4).toString('hex');
  let mined = 0;
  let batches = 0;
  const read = (kind: string, query: string, variables?: Record<string, unknown>): Call => {
    const body = graphqlBody(query, variables);
    return { kind, body: () => body };
  };
  const minedFlow: Call = {
    kind: 'write: recordTreasuryTransaction MINED',
    headers: editor,
    body: () =>
      graphqlBody(RECORD_MINED, {
        input: { companyId, kind: 'MINED', btc: '0.00000001', occurredOn: '2026-02-10', idempotencyKey: `load-${run}-${(mined += 1)}` },
      }),
  };
  const priceBatch: Call = {
    kind: 'write: recordPrices (5 points)',
    headers: editor,
    body: () => {
      // Five minutes no other batch uses: every point is an insert.
      const first = Date.UTC(2030, 0, 1) + (batches += 1) * 5 * 60_000;
      const points = Array.from({ length: 5 }, (_, i) => ({
        at: new Date(first + i * 60_000).toISOString(),
        close: `${100 + i}.5`,
        volume: '10',
      }));
      return graphqlBody(RECORD_PRICES, { input: { symbol: LOAD_ASSET, points } });
    },
  };
  const story = read('read: founding story', STORY);
  const holdings = read('read: holdings', HOLDINGS);
  const flow = read('read: treasuryFlow', FLOW);
  const prices = read('read: prices', PRICES);
  const dashboard = read('read: dashboard', DASHBOARD_QUERY, { first: 20, on: '2026-02-09' });
  // 20 calls a cycle: 17 reads (85 %), 3 writes (15 %), the writes spread through the cycle.
  return [
    story,
    holdings,
    dashboard,
    minedFlow,
    flow,
    prices,
    story,
    holdings,
    dashboard,
    priceBatch,
    story,
    flow,
    prices,
    story,
    minedFlow,
    holdings,
    dashboard,
    story,
    flow,
    prices,
  ];
}

const target = await freshTarget('load', flag('pglite'));
await withTarget(target, async () => {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`preparing ${target.engine}: migrate, seed, an editor key, a synthetic asset for price writes`);
  const database = await target.open();
  let editor: Record<string, string>;
  try {
    await migrateToLatest(database.db);
    await seed(database.db);
    editor = { authorization: `Bearer ${(await createApiKey(database.db, 'bench-load', 'editor')).key}` };
    await insertAsset(database.db, { symbol: LOAD_ASSET, name: 'Synthetic load-test asset (benchmark data, not real)', kind: 'CRYPTO' });
  } finally {
    await database.close();
  }

  if (WORKER_COUNTS.length > 0) {
    await compareProcessCounts(target.databaseUrl!, target.engine, editor);
    return;
  }

  const served = await startServedProcess({ serve: 'graphql', target, logLevel: textOption('log-level', 'info') });
  try {
    const { data } = await callOnce(served.url, { kind: 'CANG', body: () => graphqlBody('{ company(ticker: "CANG") { id } }') });
    const cycle = calls(data.company.id, editor);
    // Warm-up: every call once, each must succeed, so a broken call cannot pass as fast.
    for (const call of cycle) await callOnce(served.url, call);

    const samples: (Memory & { second: number })[] = [];
    const before = await served.memory(true);
    const started = performance.now();
    const sampler = setInterval(() => {
      void served
        .memory(GC_SAMPLES)
        .then((memory) => samples.push({ ...memory, second: Math.round((performance.now() - started) / 1000) }));
    }, SAMPLE_EVERY_MS);
    log(`${SECONDS} s of load from ${CONNECTIONS} connections…`);
    const run = await cannon(served.url, cycle, { connections: CONNECTIONS, seconds: SECONDS });
    clearInterval(sampler);
    const after = await served.memory(true);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const settled = await served.memory(true);

    const errors = run.non2xx + run.socketErrors + run.timeouts + run.graphqlErrors;
    const writes = Object.entries(run.byKind)
      .filter(([kind]) => kind.startsWith('write'))
      .reduce((sum, [, n]) => sum + n, 0);
    console.log(`\npnpm bench:load: ${SECONDS} s, ${CONNECTIONS} connections, over loopback, against the server in a child process`);
    for (const line of describeMachine(target.engine)) console.log(line);
    console.log('');
    console.log(
      table(
        ['requests', 'reads', 'writes', 'errors', 'req/s', 'p50 ms', 'p99 ms'],
        [[run.requests, run.requests - writes, writes, errors, Math.round(run.perSecond), ms(run.p50), ms(run.p99)]],
      ),
    );
    console.log(
      `\nerrors: ${run.non2xx} non-2xx, ${run.graphqlErrors} answers with GraphQL errors or userErrors, ${run.socketErrors} socket errors, ${run.timeouts} timeouts`,
    );
    if (run.firstFailure) console.log(`first failure: ${run.firstFailure}`);
    console.log('');
    console.log(
      table(
        ['calls by kind', 'answered'],
        Object.entries(run.byKind)
          .sort()
          .map(([kind, n]) => [kind, n]),
      ),
    );
    console.log('');
    console.log(
      table(
        ['server memory', 'RSS MiB', `heap used MiB${GC_SAMPLES ? ' (samples after GC)' : ''}`],
        [
          ['before, after GC', mib(before.rss), mib(before.heapUsed)],
          ...samples.map((sample) => [`${sample.second} s`, mib(sample.rss), mib(sample.heapUsed)]),
          ['after, after GC', mib(after.rss), mib(after.heapUsed)],
          ['5 s later, after GC', mib(settled.rss), mib(settled.heapUsed)],
        ],
      ),
    );
    console.log(`\n${memoryTrend(before, settled, samples)}`);
    console.log(secondHalfTrend(samples));
    if (errors > 0) process.exitCode = 1;
  } finally {
    await served.stop();
  }
});

/** The same load against `serve` with each MINERGRAPH_WORKERS of --workers, one after the other. */
async function compareProcessCounts(databaseUrl: string, engine: string, editor: Record<string, string>): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const rows: (string | number)[][] = [];
  let errors = 0;
  for (const workers of WORKER_COUNTS) {
    const served = await serveProcesses(databaseUrl, workers, textOption('log-level', 'info'));
    try {
      const { data } = await callOnce(served.url, { kind: 'CANG', body: () => graphqlBody('{ company(ticker: "CANG") { id } }') });
      const cycle = calls(data.company.id, editor);
      for (const call of cycle) await callOnce(served.url, call);
      const loadBefore = loadavg();
      log(`MINERGRAPH_WORKERS=${workers}: ${SECONDS} s of load from ${CONNECTIONS} connections…`);
      const run = await cannon(served.url, cycle, { connections: CONNECTIONS, seconds: SECONDS });
      const loadAfter = loadavg();
      const failed = run.non2xx + run.socketErrors + run.timeouts + run.graphqlErrors;
      errors += failed;
      rows.push([
        workers,
        run.requests,
        failed,
        Math.round(run.perSecond),
        ms(run.p50),
        ms(run.p99),
        loadBefore.map((n) => n.toFixed(2)).join(' '),
        loadAfter.map((n) => n.toFixed(2)).join(' '),
      ]);
      if (run.firstFailure) log(`first failure: ${run.firstFailure}`);
    } finally {
      const code = await served.stop();
      if (code !== 0) {
        log(`serve with MINERGRAPH_WORKERS=${workers} exited ${code} on SIGTERM, not 0`);
        errors += 1;
      }
    }
  }
  console.log(
    `\npnpm bench:load --workers ${WORKER_COUNTS.join(',')}: ${SECONDS} s each, ${CONNECTIONS} connections, over loopback, against \`pnpm minergraph serve\``,
  );
  for (const line of describeMachine(engine)) console.log(line);
  console.log('');
  console.log(
    table(['processes', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'load avg before (1 5 15 min)', 'load avg after'], rows),
  );
  if (errors > 0) process.exitCode = 1;
}

/** Growth of the heap that survives GC, and the slope of the samples taken under load. */
function memoryTrend(before: Memory, settled: Memory, all: (Memory & { second: number })[]): string {
  const grown = settled.heapUsed - before.heapUsed;
  // The first sample catches the ramp from idle to full load; the trend is what follows.
  const samples = all.length >= 4 ? all.slice(1) : all;
  const n = samples.length;
  const meanT = samples.reduce((sum, s) => sum + s.second, 0) / n;
  const meanH = samples.reduce((sum, s) => sum + s.heapUsed, 0) / n;
  const slope =
    samples.reduce((sum, s) => sum + (s.second - meanT) * (s.heapUsed - meanH), 0) /
    samples.reduce((sum, s) => sum + (s.second - meanT) ** 2, 0);
  // A few MiB is caches filling once (parsed documents, compiled code); a leak grows with the run.
  const verdict =
    grown < 10 * 1024 ** 2 && grown < before.heapUsed / 4
      ? 'No growth trend.'
      : 'The heap grew: run longer (--seconds 180) and compare; a leak grows with the number of requests.';
  return [
    verdict,
    `Heap after GC: ${mib(before.heapUsed)} MiB before the load, ${mib(settled.heapUsed)} MiB after it (${grown >= 0 ? '+' : ''}${mib(grown)} MiB);`,
    `heap under load: least-squares slope ${mib(slope * 60)} MiB per minute over the ${n} samples from ${samples[0]?.second} s on.`,
  ].join(' ');
}

/** Least-squares slope, per minute, of RSS and heap over the second half of the samples. */
function secondHalfTrend(all: (Memory & { second: number })[]): string {
  const half = all.slice(Math.floor(all.length / 2));
  if (half.length < 3) return 'Too few samples for a second-half trend.';
  const slope = (value: (s: Memory) => number) => {
    const meanT = half.reduce((sum, s) => sum + s.second, 0) / half.length;
    const meanV = half.reduce((sum, s) => sum + value(s), 0) / half.length;
    return (
      half.reduce((sum, s) => sum + (s.second - meanT) * (value(s) - meanV), 0) / half.reduce((sum, s) => sum + (s.second - meanT) ** 2, 0)
    );
  };
  const range = (value: (s: Memory) => number) => `${mib(Math.min(...half.map(value)))}–${mib(Math.max(...half.map(value)))} MiB`;
  return [
    `Second half (${half.length} samples${GC_SAMPLES ? ', each after GC' : ''}, ${half[0]!.second}–${half.at(-1)!.second} s):`,
    `RSS ${range((s) => s.rss)}, slope ${mib(slope((s) => s.rss) * 60)} MiB per minute;`,
    `heap ${range((s) => s.heapUsed)}, slope ${mib(slope((s) => s.heapUsed) * 60)} MiB per minute.`,
  ].join(' ');
}
