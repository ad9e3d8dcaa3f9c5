// pnpm bench — throughput, latency, the server's CPU per request and SQL statements per request
// of five requests against a synthetic data set (synthetic-miners.ts: 200 made-up miners, 8,000
// sites, five years of daily flows, a million one-minute prices of a made-up coin), beside the
// floors: the same dashboard and list from one SQL statement each behind a bare node:http handler
// (floor.ts); then the dashboard again from the response cache (on in `serve` by default; off in
// the rows above). CPU is the served process's own (process.cpuUsage), over the load run, divided
// by the requests sent. The served process is compiled as the CLI production runs is
// (scripts/build-cli.mjs, esbuild), once per run and checkout; --from tsx runs its TypeScript
// through tsx instead, which costs more CPU a request (tsx defines each function's name as it is made).
//
//   pnpm bench [--seconds 10] [--connections 20] [--pglite] [--log-level info] [--from build|tsx]
//              [--profile DIR] [--record-answers] [--baseline DIR]
//
// --baseline DIR: also measures the dashboard and the list (cache off) served by another checkout
// of the repository (the code before a change, with its dependencies installed), in the same run
// on the same database, and checks that it answers the same bytes.
// --profile DIR: a V8 CPU profile of our server (without the cache) over all its scenarios, in DIR.
// Before measuring, the answers of the dashboard, the list and one company's detail are compared
// byte for byte with those recorded in answers.json (--record-answers records them anew: do it
// only with code whose answers are known good, and only when the data set or the seed changed).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { migrateToLatest } from '../src/db/migrate.js';
import { createApiKey } from '../src/repositories/api-key.repository.js';
import { seed } from '../src/seed/seed.js';
import { describeMachine, freshTarget, startServedProcess, withTarget, type BenchTarget, type ServedProcess } from './bench-target.js';
import { callOnce, cannon, graphqlBody, type Call, type CannonRun } from './cannon.js';
import { DASHBOARD_COMPANIES, DASHBOARD_QUERY, DASHBOARD_VARIABLES, LIST_QUERY, LIST_VARIABLES } from './dashboard.js';
import { flag, option, textOption } from './options.js';
import { ms, table } from './report.js';
import { loadSyntheticMiners, SYNTHETIC_MINERS } from './synthetic-miners.js';

const SECONDS = option('seconds', 10);
const CONNECTIONS = option('connections', 20);
/** Sequential requests per scenario, to count statements (and to warm up). */
const SEQUENTIAL = 20;
const log = (line: string) => process.stderr.write(`${line}\n`);
const PROFILE_DIR = textOption('profile', '');
const BASELINE = textOption('baseline', '');
const ANSWERS_FILE = new URL('./answers.json', import.meta.url);
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const tickers = Array.from({ length: SYNTHETIC_MINERS.companies }, (_, i) => `SYN${String(i).padStart(3, '0')}`);

const DETAIL = `query Detail($ticker: String!) {
  company(ticker: $ticker) {
    name ticker exchange businessLines
    sites(first: 40) { totalCount edges { node { name region country status purpose powerCapacityMw hashrateEh } } }
    siteSummary { siteCount totalHashrateEh totalPowerCapacityMw regions { region siteCount hashrateEh powerCapacityMw } }
    holdings(on: "2026-01-31") { btc valueUsd pledgedBtc percentOfSupply anchor { on btc source { title } } }
    treasuryFlow(from: "2025-01-01", to: "2025-12-31") { openingBtc minedBtc soldBtc closingBtc unexplainedBtc averageSalePriceUsd }
    holdingsHistory(from: "2025-02-01", to: "2026-01-31", interval: MONTH) { on btc valueUsd }
    treasuryTransactions(first: 50) { totalCount edges { node { kind btc usd occurredOn averagePriceUsd balanceAfterBtc } } }
    productionReports(first: 12) { edges { node { periodStart periodEnd minedBtc soldBtc heldBtc btcPerDay btcPerEhPerDay } } }
    loans { lender principalUsd outstandingUsd collateralBtc ltv marginCallPriceUsd liquidationPriceUsd repayments { amountUsd paidOn } }
    stock { symbol latestPrice { at priceUsd } }
  }
}`;
const CANDLES = `{ asset(symbol: "${SYNTHETIC_MINERS.coinSymbol}") {
  candles(from: "2024-06-01T00:00:00Z", to: "2025-06-01T00:00:00Z", interval: DAY) { start open high low close volume } } }`;
const RECORD = `mutation ($input: RecordTreasuryTransactionInput!) {
  recordTreasuryTransaction(input: $input) { transaction { id balanceAfterBtc } userErrors { code message } } }`;

interface Scenario {
  name: string;
  call: Call;
  /** What a correct answer holds, checked on every sequential request. */
  check(data: any): boolean;
}

const dashboard: Call = { kind: 'dashboard', body: () => graphqlBody(DASHBOARD_QUERY, DASHBOARD_VARIABLES) };
const list: Call = { kind: 'list', body: () => graphqlBody(LIST_QUERY, LIST_VARIABLES) };
/** Answers compared byte for byte with answers.json: what the CPU work must not change. */
const RECORDED: Record<string, Call> = {
  dashboard,
  list,
  detail: { kind: 'detail', body: () => graphqlBody(DETAIL, { ticker: 'SYN007' }) },
};

function scenarios(companyIds: Map<string, string>, editor: Record<string, string>): Scenario[] {
  let detail = 0;
  let write = 0;
  return [
    {
      name: `dashboard: ${DASHBOARD_COMPANIES} companies`,
      call: dashboard,
      check: (data) =>
        // The sourced companies sort among the synthetic ones; the last is always synthetic, with a year of reports.
        data.companies.edges.length === DASHBOARD_COMPANIES && data.companies.edges.at(-1).node.productionReports.edges.length === 12,
    },
    {
      name: `list: companies(first: ${DASHBOARD_COMPANIES}) { ticker name }`,
      call: list,
      check: (data) => data.companies.edges.length === DASHBOARD_COMPANIES,
    },
    {
      name: 'company detail (a different company each time)',
      call: { kind: 'detail', body: () => graphqlBody(DETAIL, { ticker: tickers[(detail += 1) % tickers.length] }) },
      check: (data) => data.company.holdingsHistory.length === 12 && data.company.treasuryTransactions.edges.length === 50,
    },
    {
      name: 'candles: DAY over a year of 1M one-minute rows',
      call: { kind: 'candles', body: () => graphqlBody(CANDLES) },
      check: (data) => data.asset.candles.length === 365,
    },
    {
      name: 'write: recordTreasuryTransaction MINED',
      call: {
        kind: 'write',
        headers: editor,
        body: () => {
          write += 1;
          const companyId = companyIds.get(tickers[write % tickers.length]!)!;
          return graphqlBody(RECORD, {
            input: {
              companyId,
              kind: 'MINED',
              btc: '0.125',
              occurredOn: '2026-02-01',
              idempotencyKey: `bench-${write}`,
              // Every fact written through the API carries its source (the quote must print the number).
              source: { title: 'Synthetic benchmark data generated by pnpm bench (not real)', quote: 'Mined 0.125 BTC (synthetic).' },
            },
          });
        },
      },
      check: (data) => data.recordTreasuryTransaction.transaction !== null,
    },
  ];
}

interface Measured {
  name: string;
  statements: number[];
  run: CannonRun;
  /** The served process's CPU (user + system) per request sent during the load run. */
  cpuMs: number;
}

/** Waits until the server has run no statement for half a second: what a load run left in flight is done. */
async function quiet(served: ServedProcess): Promise<void> {
  let last = await served.statements();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await served.statements();
    if (now === last) return;
    last = now;
  }
}

/** Sequential requests (statements counted one by one, answers checked), then the load. */
async function measure(served: ServedProcess, scenario: Scenario): Promise<Measured> {
  await quiet(served);
  const statements: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    const before = await served.statements();
    const { data } = await callOnce(served.url, scenario.call);
    statements.push((await served.statements()) - before);
    if (!scenario.check(data)) throw new Error(`${scenario.name}: unexpected answer ${JSON.stringify(data).slice(0, 300)}`);
  }
  log(`  ${scenario.name}: ${SECONDS} s from ${CONNECTIONS} connections… (load average ${loadAverage()})`);
  await quiet(served);
  const before = await served.cpuMs();
  const run = await cannon(served.url, [scenario.call], { connections: CONNECTIONS, seconds: SECONDS });
  // The requests still in flight when the run ended are answered too, and were counted as sent.
  await quiet(served);
  const cpuMs = ((await served.cpuMs()) - before) / run.sent;
  return { name: scenario.name, statements, run, cpuMs };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The exact bytes of each recorded answer, compared with (or, with --record-answers, written to) answers.json. */
async function checkAnswers(url: string): Promise<void> {
  const answers: Record<string, { sha256: string; bytes: number }> = {};
  for (const [name, call] of Object.entries(RECORDED)) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: call.body() });
    const text = await response.text();
    answers[name] = { sha256: sha256(text), bytes: Buffer.byteLength(text) };
  }
  if (flag('record-answers')) {
    writeFileSync(ANSWERS_FILE, `${JSON.stringify(answers, null, 2)}\n`);
    log(`recorded the answers in ${ANSWERS_FILE.pathname}`);
    return;
  }
  const recorded = JSON.parse(readFileSync(ANSWERS_FILE, 'utf8')) as typeof answers;
  for (const [name, answer] of Object.entries(answers)) {
    const expected = recorded[name];
    if (expected?.sha256 !== answer.sha256) {
      throw new Error(
        `the ${name} answer (${answer.bytes} bytes) is not the one recorded in answers.json (${expected?.bytes} bytes): an answer changed. ` +
          'If the data set or the seed changed on purpose, record them anew with --record-answers from code known to answer right.',
      );
    }
  }
  log(`answers byte-identical to answers.json: ${Object.keys(answers).join(', ')}`);
}

/** Numbers equal, or floats equal to 12 significant digits (SQL and decimal.js divide to different precisions). */
function sameAnswer(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameAnswer(item, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => sameAnswer((a as any)[key], (b as any)[key]));
  }
  return a === b;
}

async function prepare(target: BenchTarget) {
  const database = await target.open();
  try {
    log(`preparing ${target.engine}: migrate, seed facts, the synthetic set`);
    await migrateToLatest(database.db);
    await seed(database.db);
    const loaded = await loadSyntheticMiners(database.db, log);
    const editor = { authorization: `Bearer ${(await createApiKey(database.db, 'bench', 'editor')).key}` };
    const rows = await database.db.selectFrom('companies').select(['id', 'ticker']).execute();
    return { loaded, editor, rows };
  } finally {
    await database.close();
  }
}

const target = await freshTarget('bench', flag('pglite'));
await withTarget(target, async () => {
  const { loaded, editor, rows } = await prepare(target);
  const logLevel = textOption('log-level', 'info');
  const from = textOption('from', 'build') === 'tsx' ? 'tsx' : 'build';
  const loadAtStart = loadAverage();

  log('the floors: the dashboard and the list from one SQL statement each');
  const floorProcess = await startServedProcess({ serve: 'floor', target, from });
  const listFloorUrl = floorProcess.url.replace(/\/graphql$/, '/list');
  let floor: Measured;
  let listFloor: Measured;
  let floorAnswer: unknown;
  let listFloorAnswer: unknown;
  try {
    floorAnswer = await callOnce(floorProcess.url, dashboard);
    listFloorAnswer = await callOnce(listFloorUrl, list);
    floor = await measure(floorProcess, { name: `floor: the same dashboard, one SQL statement`, call: dashboard, check: () => true });
    listFloor = await measure(
      { ...floorProcess, url: listFloorUrl },
      { name: `floor: the same list, one SQL statement`, call: list, check: () => true },
    );
  } finally {
    await floorProcess.stop();
  }

  // Before any write scenario changes the data: the recorded answers hold for the data set as loaded.
  const baselineRows: Measured[] = [];
  if (BASELINE) {
    log(`the baseline: the server of ${BASELINE} (response cache off)`);
    const baseline = await startServedProcess({ serve: 'graphql', target, logLevel, root: BASELINE, from });
    try {
      await checkAnswers(baseline.url);
      for (const scenario of scenarios(new Map(), editor).slice(0, 2))
        baselineRows.push(await measure(baseline, { ...scenario, name: `before (${BASELINE}): ${scenario.name}` }));
    } finally {
      await baseline.stop();
    }
  }

  log('our server (response cache off)');
  const served = await startServedProcess({
    serve: 'graphql',
    target,
    logLevel,
    from,
    ...(PROFILE_DIR ? { cpuProfileDir: PROFILE_DIR } : {}),
  });
  const measured: Measured[] = [];
  try {
    const ours = await callOnce(served.url, dashboard);
    if (!sameAnswer(ours, floorAnswer))
      throw new Error('the floor does not answer what the GraphQL dashboard answers; fix DASHBOARD_SQL first');
    if (!sameAnswer(await callOnce(served.url, list), listFloorAnswer))
      throw new Error('the floor does not answer what the GraphQL list answers; fix LIST_SQL first');
    await checkAnswers(served.url);
    // Global ids of the synthetic companies, for the writes.
    const ids = new Map<string, string>();
    for (const row of rows) ids.set(row.ticker, Buffer.from(`Company:${row.id}`).toString('base64'));
    for (const scenario of scenarios(ids, editor)) measured.push(await measure(served, scenario));
  } finally {
    await served.stop();
  }

  measured.push(...baselineRows);

  log('our server with its response cache (as serve runs by default)');
  const cached = await startServedProcess({ serve: 'graphql', target, logLevel, responseCache: true, from });
  try {
    if (!sameAnswer(await callOnce(cached.url, dashboard), floorAnswer))
      throw new Error('the cached dashboard does not answer what the floor answers');
    measured.push(
      await measure(cached, { ...scenarios(new Map(), editor)[0]!, name: `dashboard from the response cache (the same request repeated)` }),
    );
  } finally {
    await cached.stop();
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const statementsOf = (values: number[]) => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    return low === high ? String(low) : `${median(values)} (${low}-${high})`;
  };
  const errorsOf = (run: CannonRun) => run.non2xx + run.socketErrors + run.timeouts + run.graphqlErrors;
  const ratio = (value: number) => `${value.toFixed(2)}x`;
  const floorOf = (name: string) => (name.includes('dashboard') ? floor : /^(before \(.*\): )?list/.test(name) ? listFloor : null);
  const cpu = (value: number) => value.toFixed(value < 1 ? 3 : 2);
  const dashboardRun = measured[0]!.run;
  const listMeasured = measured[1]!;

  console.log(
    `\npnpm bench: ${SECONDS} s and ${CONNECTIONS} connections a scenario, over loopback, server in a child process (LOG_LEVEL=${logLevel}, ${from === 'build' ? 'compiled as the CLI is' : 'TypeScript through tsx'})`,
  );
  for (const line of describeMachine(target.engine)) console.log(line);
  console.log(
    `data (synthetic, see packages/server/bench/synthetic-miners.ts; loaded in ${loaded.seconds.toFixed(1)} s): ` +
      Object.entries(loaded.rows)
        .map(([table, count]) => `${count.toLocaleString('en-US')} ${table}`)
        .join(', '),
  );
  console.log('');
  console.log(
    table(
      [
        'scenario',
        'req/s',
        'p50 ms',
        'p99 ms',
        'server CPU ms/request',
        'SQL statements/request',
        'errors',
        'req/s vs floor',
        'p50 vs floor',
        'CPU vs floor',
      ],
      [
        ...measured.map(({ name, run, statements, cpuMs }) => {
          const its = floorOf(name);
          return [
            name,
            Math.round(run.perSecond),
            ms(run.p50),
            ms(run.p99),
            cpu(cpuMs),
            statementsOf(statements),
            errorsOf(run),
            its ? ratio(run.perSecond / its.run.perSecond) : '',
            its ? ratio(run.p50 / its.run.p50) : '',
            its ? ratio(cpuMs / its.cpuMs) : '',
          ];
        }),
        ...[floor, listFloor].map((f) => [
          f.name,
          Math.round(f.run.perSecond),
          ms(f.run.p50),
          ms(f.run.p99),
          cpu(f.cpuMs),
          statementsOf(f.statements),
          errorsOf(f.run),
          '1.00x',
          '1.00x',
          '1.00x',
        ]),
      ],
    ),
  );
  console.log(`\nload average at the start ${loadAtStart}, at the end ${loadAverage()}`);
  console.log(
    `the dashboard (cache off): ${cpu(measured[0]!.cpuMs)} ms server CPU a request (aim: at most 9), ${ratio(dashboardRun.perSecond / floor.run.perSecond)} the floor's throughput (aim: at least 0.40x), ${ratio(dashboardRun.p50 / floor.run.p50)} its median latency`,
  );
  console.log(
    `the list (cache off): ${cpu(listMeasured.cpuMs)} ms server CPU a request (aim: at most 0.5), ${ratio(listMeasured.run.perSecond / listFloor.run.perSecond)} the floor's throughput (aim: at least 0.50x), ${ratio(listMeasured.run.p50 / listFloor.run.p50)} its median latency`,
  );
  const cachedRun = measured[measured.length - 1]!.run;
  console.log(
    `the dashboard from the response cache: ${ratio(cachedRun.perSecond / floor.run.perSecond)} the floor's throughput (aim: at least 1.50x), ${ratio(cachedRun.p50 / floor.run.p50)} its median latency`,
  );
  const failures = [...measured, floor, listFloor].filter((m) => errorsOf(m.run) > 0);
  for (const failed of failures) console.log(`errors in ${failed.name}: ${failed.run.firstFailure}`);
  if (failures.length) process.exitCode = 1;
});
