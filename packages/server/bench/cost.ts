// pnpm bench:cost — calibrates the cost model (the complexity the limits check before any SQL)
// against measured time. On the synthetic data set (synthetic-miners.ts), for each costed field
// a query that exercises mostly that field, at a few sizes, one request at a time: its p50
// round trip over loopback divided by the cost the limits module computes for it (operationCost,
// the same rule checkComplexity runs). Then the heaviest queries the DEFAULT limits allow, built
// from the fields that cost the most time per unit: p50 one at a time, and the server's RSS with
// --parallel of them at once.
//
//   pnpm bench:cost [--repeat 7] [--parallel 16] [--pglite] [--log-level warn]
import { schema } from '@minergraph/schema';
import { parse } from 'graphql';
import { DEFAULT_LIMITS } from '../src/config.js';
import { operationCost } from '../src/http/limits.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seed } from '../src/seed/seed.js';
import { describeMachine, freshTarget, startServedProcess, withTarget, type ServedProcess } from './bench-target.js';
import { callOnce, graphqlBody } from './cannon.js';
import { flag, option, textOption } from './options.js';
import { mib, ms, table } from './report.js';
import { loadSyntheticMiners, SYNTHETIC_MINERS } from './synthetic-miners.js';

const REPEAT = option('repeat', 7);
const PARALLEL = option('parallel', 16);
const log = (line: string) => process.stderr.write(`${line}\n`);
const ticker = (i: number) => `SYN${String(i % SYNTHETIC_MINERS.companies).padStart(3, '0')}`;
const COIN = SYNTHETIC_MINERS.coinSymbol;
/** Aliases of one root field, each on its own company: n root fields. */
const perCompany = (n: number, selection: (i: number) => string) =>
  `{ ${Array.from({ length: n }, (_, i) => `c${i}: company(ticker: "${ticker(i * 7)}") { ${selection(i)} }`).join(' ')} }`;
const dayBefore = (day: string, days: number) => new Date(Date.parse(day) - days * 86_400_000).toISOString().slice(0, 10);
const hoursFrom = (start: string, hours: number) => new Date(Date.parse(start) + hours * 3_600_000).toISOString();

interface Probe {
  field: string;
  size: string;
  query: string;
}

/** Each costed field at a few sizes; the selections under it are what a client would ask. */
const PROBES: Probe[] = [
  ...[20, 100].map((n) => ({
    field: 'companies(first)',
    size: `first ${n}`,
    query: `{ companies(first: ${n}) { edges { node { name ticker exchange } } } }`,
  })),
  ...[20, 100].map((n) => ({
    field: 'Company.sites(first)',
    size: `first ${n} x 4 companies`,
    query: perCompany(4, () => `sites(first: ${n}) { edges { node { name region status powerCapacityMw hashrateEh } } }`),
  })),
  ...[20, 100].map((n) => ({
    field: 'Company.treasuryTransactions(first)',
    size: `first ${n} x 4 companies`,
    query: perCompany(4, () => `treasuryTransactions(first: ${n}) { edges { node { kind btc usd occurredOn balanceAfterBtc } } }`),
  })),
  ...[20, 60].map((n) => ({
    field: 'Company.productionReports(first)',
    size: `first ${n} x 4 companies`,
    query: perCompany(
      4,
      () => `productionReports(first: ${n}) { edges { node { periodStart minedBtc soldBtc btcPerDay btcPerEhPerDay } } }`,
    ),
  })),
  ...[100, 1000].map((n) => ({
    field: 'Company.holdingsHistory(DAY)',
    size: `${n} points x 2 companies`,
    query: perCompany(
      2,
      () => `holdingsHistory(from: "${dayBefore('2026-01-31', n - 1)}", to: "2026-01-31", interval: DAY) { on btc btcPriceUsd valueUsd }`,
    ),
  })),
  ...[100, 1000].map((n) => ({
    field: 'Company.holdingsHistory(DAY), btc only',
    size: `${n} points x 2 companies`,
    query: perCompany(2, () => `holdingsHistory(from: "${dayBefore('2026-01-31', n - 1)}", to: "2026-01-31", interval: DAY) { on btc }`),
  })),
  ...[365, 1000].map((n) => ({
    field: 'Asset.candles(DAY)',
    size: `${n} buckets`,
    query: `{ asset(symbol: "${COIN}") { candles(from: "2024-01-01T00:00:00Z", to: "${hoursFrom('2024-01-01T00:00:00Z', n * 24)}", interval: DAY) { start open high low close volume } } }`,
  })),
  ...[240, 1200].map((n) => ({
    field: 'Asset.candles(HOUR)',
    size: `${n} buckets`,
    query: `{ asset(symbol: "${COIN}") { candles(from: "2024-01-01T00:00:00Z", to: "${hoursFrom('2024-01-01T00:00:00Z', n)}", interval: HOUR) { start open high low close volume } } }`,
  })),
  ...[1, 20].map((n) => ({
    field: 'Company.treasuryFlow (a year)',
    size: `x ${n} companies`,
    query: perCompany(
      n,
      () =>
        `treasuryFlow(from: "2025-01-01", to: "2025-12-31") { openingBtc minedBtc soldBtc closingBtc unexplainedBtc averageSalePriceUsd }`,
    ),
  })),
  ...[1, 20].map((n) => ({
    field: 'Company.holdings',
    size: `x ${n} companies`,
    query: perCompany(n, () => `holdings(on: "2026-01-31") { btc valueUsd pledgedBtc percentOfSupply }`),
  })),
  ...[1, 20].map((n) => ({
    field: 'Company.siteSummary',
    size: `x ${n} companies`,
    query: perCompany(n, () => `siteSummary { siteCount totalHashrateEh totalPowerCapacityMw regions { region siteCount hashrateEh } }`),
  })),
  { field: 'Asset.allTimeHigh (1M observations)', size: 'x 1', query: `{ asset(symbol: "${COIN}") { allTimeHigh { at priceUsd } } }` },
  { field: 'Asset.drawdownFromAllTimeHigh', size: 'x 1', query: `{ asset(symbol: "${COIN}") { drawdownFromAllTimeHigh } }` },
  ...[
    [1, 8760],
    [10, 744],
  ].map(([n, hours]) => ({
    field: 'Asset.change (over one-minute prices)',
    size: `${hours} hours x ${n} aliases`,
    query: `{ asset(symbol: "${COIN}") { ${Array.from({ length: n! }, (_, i) => `c${i}: change(from: "${hoursFrom('2024-06-01T00:00:00Z', i * 24)}", to: "${hoursFrom('2024-06-01T00:00:00Z', i * 24 + hours!)}") { changePercent }`).join(' ')} } }`,
  })),
];

/** The heaviest queries the default limits allow: the fields with the most time per unit, filled up to the limit. */
function heaviest(): Probe[] {
  const max = DEFAULT_LIMITS.maxComplexity;
  const fill = (
    name: string,
    one: (i: number, size: number) => string,
    sizeFor: (cost: number) => number,
    maxSize: number,
    wrap: (parts: string[]) => string,
  ): Probe => {
    // As many of the largest series as fit, then one smaller to take up what is left.
    const parts: string[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.maxRootFields; i += 1) {
      const used = parts.length ? cost(wrap(parts)) : 0;
      let size = maxSize;
      while (size > 1 && used + sizeFor(size) > max) size = Math.floor(size * 0.9);
      const next = [...parts, one(i, size)];
      if (size <= 1 || cost(wrap(next)) > max) break;
      parts.push(one(i, size));
    }
    const query = wrap(parts);
    return { field: name, size: `${parts.length} series, cost ${cost(query)}`, query };
  };
  const history = (i: number, points: number) =>
    `c${i}: company(ticker: "${ticker(i * 11)}") { holdingsHistory(from: "${dayBefore('2026-01-31', points - 1)}", to: "2026-01-31", interval: DAY) { on btc btcPriceUsd valueUsd } }`;
  const candles = (interval: 'HOUR' | 'DAY') => (i: number, buckets: number) =>
    `a${i}: asset(symbol: "${COIN}") { candles(from: "${hoursFrom('2024-01-01T00:00:00Z', i)}", to: "${hoursFrom('2024-01-01T00:00:00Z', i + buckets * (interval === 'DAY' ? 24 : 1))}", interval: ${interval}) { start open high low close volume } }`;
  const braces = (parts: string[]) => `{ ${parts.join(' ')} }`;
  const probeCost = (template: (i: number, size: number) => string) => (size: number) => cost(braces([template(0, size)]));
  const transactions = (i: number, rows: number) =>
    `c${i}: company(ticker: "${ticker(i * 13)}") { treasuryTransactions(first: ${rows}) { edges { node { btc } } } }`;
  const change = (i: number, hours: number) =>
    `a${i}: asset(symbol: "${COIN}") { change(from: "${hoursFrom('2024-01-01T00:00:00Z', i)}", to: "${hoursFrom('2024-01-01T00:00:00Z', i + hours)}") { changePercent } }`;
  return [
    fill('holdingsHistory(DAY) with prices', history, probeCost(history), 1000, braces),
    fill('treasuryTransactions, one field a row', transactions, probeCost(transactions), 100, braces),
    fill('change over a window of minutes', change, probeCost(change), 14_000, braces),
    fill('candles(HOUR)', candles('HOUR'), probeCost(candles('HOUR')), 10_000, braces),
    fill('candles(DAY)', candles('DAY'), probeCost(candles('DAY')), 690, braces),
  ];
}

const cost = (query: string) => operationCost(schema, { document: parse(query) }).complexity;

async function p50(served: ServedProcess, query: string, repeat = REPEAT): Promise<number> {
  const call = { kind: 'probe', body: () => graphqlBody(query) };
  await callOnce(served.url, call); // warm-up, and a failing query fails loudly here
  const times: number[] = [];
  for (let i = 0; i < repeat; i += 1) {
    const started = performance.now();
    await callOnce(served.url, call);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** RSS before, the highest sampled while `parallel` copies run at once, and the wall time. */
async function underParallel(served: ServedProcess, query: string, parallel: number) {
  const before = await served.memory(true);
  let peak = before.rss;
  const sampler = setInterval(() => void served.memory().then((m) => (peak = Math.max(peak, m.rss))), 50);
  const started = performance.now();
  await Promise.all(Array.from({ length: parallel }, () => callOnce(served.url, { kind: 'parallel', body: () => graphqlBody(query) })));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = await served.memory();
  peak = Math.max(peak, after.rss);
  return { before: before.rss, peak, seconds };
}

const target = await freshTarget('cost', flag('pglite'));
await withTarget(target, async () => {
  const database = await target.open();
  try {
    log(`preparing ${target.engine}: migrate, seed facts, the synthetic set`);
    await migrateToLatest(database.db);
    await seed(database.db);
    await loadSyntheticMiners(database.db, log);
  } finally {
    await database.close();
  }
  const served = await startServedProcess({ serve: 'graphql', target, logLevel: textOption('log-level', 'warn') });
  const rows: (string | number)[][] = [];
  const heavy: (string | number)[][] = [];
  try {
    // The fixed cost of a request (HTTP, parsing, the limits, one company), to read the rest against.
    const base = `{ company(ticker: "${ticker(0)}") { name } }`;
    const baseMs = await p50(served, base);
    rows.push(['a trivial query (the fixed cost of a request)', '', cost(base), ms(baseMs), '', '']);
    for (const probe of PROBES) {
      log(`  ${probe.field}: ${probe.size}`);
      const c = cost(probe.query);
      const t = await p50(served, probe.query);
      rows.push([probe.field, probe.size, c, ms(t), ((t * 1000) / c).toFixed(1), (((t - baseMs) * 1000) / c).toFixed(1)]);
      log(`    cost ${c}, p50 ${ms(t)} ms, ${((t * 1000) / c).toFixed(1)} µs per unit`);
    }
    for (const probe of heaviest()) {
      log(`  heaviest: ${probe.field}: ${probe.size}`);
      let t: number;
      try {
        t = await p50(served, probe.query, Math.min(REPEAT, 5));
      } catch (error) {
        // What the current limits let through may not finish at all (the statement timeout).
        const code = /"code":"([A-Z_]+)"/.exec(String(error))?.[1] ?? String(error).slice(0, 80);
        heavy.push([probe.field, probe.size, `fails: ${code}`, '', '', '']);
        continue;
      }
      const run = await underParallel(served, probe.query, PARALLEL);
      heavy.push([probe.field, probe.size, ms(t), mib(run.before), mib(run.peak), run.seconds.toFixed(1)]);
    }
  } finally {
    await served.stop();
  }
  console.log(
    `\npnpm bench:cost: p50 of ${REPEAT} requests one at a time over loopback, server in a child process; default limits (max cost ${DEFAULT_LIMITS.maxComplexity})`,
  );
  for (const line of describeMachine(target.engine)) console.log(line);
  console.log('');
  console.log(table(['field', 'size', 'cost', 'p50 ms', 'µs per cost unit', 'µs per unit, less a trivial request'], rows));
  console.log('');
  console.log(
    table(
      [
        'heaviest query the default limits allow',
        'shape',
        'p50 ms (one at a time)',
        'RSS before MiB',
        `peak RSS, ${PARALLEL} at once MiB`,
        `wall s, ${PARALLEL} at once`,
      ],
      heavy,
    ),
  );
});
