import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/config.js';
import { syncFacts } from '../src/facts/load.js';
import { DASHBOARD_QUERY, DASHBOARD_VARIABLES, LIST_QUERY, LIST_VARIABLES } from '../bench/dashboard.js';
import { REPOSITORY_DATA, type TestDatabase, type TestServer, useTestServer } from '@minergraph/test-support';

// Look-ahead (src/look-ahead/compile.ts) answers a query from one SQL statement when it can. The
// promise is that the answer is the same, byte for byte, as the resolvers give: every query below
// is sent to a server with look-ahead (the default) and to one without, on the same database,
// and the bodies are compared as text. Each says how many statements the compiled path took,
// so a query that silently fell back to the resolvers fails too.

/** Corner cases the real data lacks: splits after the last price, repaid and undisclosed loans, blank figures. */
async function corners(database: TestDatabase): Promise<void> {
  const db = database.db;
  const source = await db
    .insertInto('sources')
    .values({ title: 'Look-ahead fixture (not real)' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const company = async (ticker: string, name: string, extra: Record<string, unknown> = {}) =>
    (
      await db
        .insertInto('companies')
        .values({ ticker, name, source_id: source.id, ...extra })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const zzsp = await company('ZZSP', 'Split_Test % Miner', { exchange: 'NASDAQ', business_lines: ['BITCOIN_MINING', 'AI_COMPUTE'] });
  const zzun = await company('ZZUN', 'Unity Reverse Miner', { reported_site_count: 40, reported_regions: ['Texas', 'Ethiopia'] });
  await company('ZZEM', 'Empty Miner');
  // Shares with no corporate action and a close of more than 8 places: served as stored, not rounded.
  const zzem = await db
    .insertInto('assets')
    .values({ symbol: 'ZZEM', name: 'ZZEM shares', kind: 'EQUITY' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('price_observations')
    .values({
      asset_id: zzem.id,
      at: new Date('2026-02-27T21:00:00Z'),
      open: '0.1',
      high: '0.2',
      low: '0.1',
      close: '0.123456789012',
      source_id: source.id,
    })
    .execute();
  for (const [ticker, actions] of [
    [
      'ZZSP',
      [
        { on: '2026-03-01', ratio: '10' },
        { on: '2026-03-05', ratio: '0.3' },
      ],
    ],
    [
      'ZZUN',
      [
        { on: '2026-03-01', ratio: '2' },
        { on: '2026-03-02', ratio: '0.5' },
      ],
    ],
  ] as const) {
    const asset = await db
      .insertInto('assets')
      .values({ symbol: ticker, name: `${ticker} shares`, kind: 'EQUITY' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('price_observations')
      .values([
        {
          asset_id: asset.id,
          at: new Date('2026-02-20T21:00:00Z'),
          open: '7.77',
          high: '7.9',
          low: '7.1',
          close: '7.7700',
          source_id: source.id,
        },
        { asset_id: asset.id, at: new Date('2026-02-27T21:00:00Z'), open: '7', high: '8', low: '6', close: '6.6666', source_id: source.id },
      ])
      .execute();
    await db
      .insertInto('corporate_actions')
      .values(
        actions.map((action) => ({
          asset_id: asset.id,
          effective_on: action.on,
          ratio: action.ratio,
          description: 'fixture',
          source_id: source.id,
        })),
      )
      .execute();
  }
  await db
    .insertInto('sites')
    .values([
      {
        company_id: zzsp,
        name: 'Beta',
        region: 'Texas',
        status: 'OPERATING',
        purpose: 'MIXED',
        hashrate_eh: '1.250',
        power_capacity_mw: null,
        source_id: source.id,
      },
      {
        company_id: zzsp,
        name: 'Alpha',
        region: 'Texas',
        status: 'PLANNED',
        purpose: 'AI_COMPUTE',
        hashrate_eh: null,
        power_capacity_mw: '100.5',
        country: 'US',
        grid_connected: true,
        commissioned_on: '2027-01-01',
        source_id: source.id,
      },
      {
        company_id: zzsp,
        name: 'alpha',
        region: 'Oman',
        status: 'IDLE',
        purpose: 'BITCOIN_MINING',
        hashrate_eh: '0.0000',
        source_id: source.id,
      },
    ])
    .execute();
  await db
    .insertInto('production_reports')
    .values([
      {
        company_id: zzsp,
        period_start: '2026-01-01',
        period_end: '2026-01-31',
        mined_btc: '10',
        operating_hashrate_eh: '3',
        source_id: source.id,
      },
      {
        company_id: zzsp,
        period_start: '2026-02-01',
        period_end: '2026-02-28',
        mined_btc: '7.1',
        operating_hashrate_eh: '0',
        sold_btc: '1.5',
        sold_usd: '150000.00',
        source_id: source.id,
      },
      {
        company_id: zzsp,
        period_start: '2025-10-01',
        period_end: '2025-12-31',
        mined_btc: '33.33333333',
        held_btc: '100',
        period: 'QUARTER',
        source_id: source.id,
      },
    ])
    .execute();
  await db
    .insertInto('holdings_reports')
    .values({ company_id: zzsp, reported_on: '2026-01-15', btc: '100.5', basis: 'includes pledged BTC', source_id: source.id })
    .execute();
  await db
    .insertInto('treasury_transactions')
    .values([
      { company_id: zzsp, kind: 'MINED', btc: '1.25', occurred_on: '2026-01-15', source_id: source.id },
      { company_id: zzsp, kind: 'SOLD', btc: '3.5', occurred_on: '2026-01-20', source_id: source.id },
      { company_id: zzun, kind: 'MINED', btc: '2', occurred_on: '2026-01-02', source_id: source.id },
      { company_id: zzun, kind: 'OTHER', btc: '-0.5', occurred_on: '2026-01-03', source_id: source.id },
    ])
    .execute();
  const loan = async (values: Record<string, unknown>) =>
    (
      await db
        .insertInto('loans')
        .values({ company_id: zzsp, lender: null, source_id: source.id, ...values } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const repaid = await loan({
    principal_usd: '3000000',
    initial_collateral_btc: '70.12345678',
    originated_on: '2025-12-01',
    margin_call_ltv: 0.7,
    liquidation_ltv: 0.85,
    interest_rate_percent: 9.5,
    lender: 'Fixture Lender',
  });
  await loan({ principal_usd: '1000', initial_collateral_btc: null, kind: 'BTC_BACKED_LOAN', description: 'undisclosed collateral' });
  await loan({ principal_usd: null, initial_collateral_btc: '3', originated_on: '2026-01-10', kind: 'CREDIT_LINE' });
  await loan({
    principal_usd: '5',
    initial_collateral_btc: '1',
    originated_on: '2025-01-10',
    status: 'DEFAULTED',
    margin_call_ltv: 0.123456789012345,
  });
  await db
    .insertInto('loan_repayments')
    .values([
      { loan_id: repaid, amount_usd: '1000000.5', paid_on: '2026-01-10', collateral_released_btc: '20', source_id: source.id },
      { loan_id: repaid, amount_usd: '1', paid_on: '2026-01-05', collateral_released_btc: '0', source_id: source.id },
    ])
    .execute();
}

/**
 * ZZHR, an equity with no company: irregular observations from 2026-03-01 to 03-08 (none on
 * 03-07), prices of up to 12 places so that adjusting rounds, some volumes missing, and three
 * ratio changes inside the range (03-03, 03-05, 03-06), so HOUR and DAY buckets fall in every step.
 */
async function hourly(database: TestDatabase): Promise<void> {
  const db = database.db;
  const asset = await db
    .insertInto('assets')
    .values({ symbol: 'ZZHR', name: 'ZZHR shares', kind: 'EQUITY' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const places = (units: bigint, scale: number) => {
    const digits = units.toString().padStart(scale + 1, '0');
    return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  };
  const points = [];
  for (let i = 0; i < 240; i += 1) {
    const at = new Date(Date.parse('2026-03-01T00:00:00Z') + i * 47 * 60_000 + (i % 5) * 13_001);
    if (at.toISOString().startsWith('2026-03-07')) continue;
    const scale = 10n ** 12n;
    const open = BigInt(10 + ((i * 37) % 90)) * scale + BigInt((i * 7919) % 1_000_003) * 100_003n;
    const close = open + BigInt(((i * 104_729) % 2_000_001) - 1_000_000) * 1_000_001n;
    const high = (open > close ? open : close) + BigInt((i * 31) % 17) * 10n ** 10n;
    const low = (open < close ? open : close) - BigInt((i * 29) % 13) * 10n ** 10n;
    points.push({
      asset_id: asset.id,
      at,
      open: places(open, 12),
      high: places(high, 12),
      low: places(low, 12),
      close: places(close, 12),
      volume: i % 4 === 0 ? null : places(BigInt((i * 1_234_567) % 99_999_991), 3),
    });
  }
  await db.insertInto('price_observations').values(points).execute();
  await db
    .insertInto('corporate_actions')
    .values(
      [
        { on: '2026-03-03', ratio: '4' },
        { on: '2026-03-05', ratio: '0.7' },
        { on: '2026-03-06', ratio: '3.125' },
      ].map((action) => ({ asset_id: asset.id, effective_on: action.on, ratio: action.ratio, description: 'fixture' })),
    )
    .execute();
}

/** Both servers allow the costly every-field query; the limits are not what this file tests. */
const LIMITS = { ...DEFAULT_LIMITS, maxComplexity: 1_000_000, maxBreadth: 2_000 };

const served = useTestServer({
  start: 'migrated',
  server: { limits: LIMITS },
  setup: async (database) => {
    await syncFacts(database.db, REPOSITORY_DATA);
    await corners(database);
    await hourly(database);
    await sql`analyze`.execute(database.db);
  },
});
let resolvers: TestServer;

beforeAll(async () => {
  resolvers = await served.serve({ lookAhead: false, limits: LIMITS });
});

async function body(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<string> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return `${response.status} ${await response.text()}`;
}

/** The answers of both servers, and how many statements the look-ahead one ran. */
async function bothWays(query: string, variables?: Record<string, unknown>) {
  let compiled = '';
  const statements = await served.database.statementsOf!(async () => {
    compiled = await body(served.server, query, variables);
  });
  const lookAhead = statements.filter((statement) => statement.startsWith('select json_build_object(')).length;
  return { compiled, resolved: await body(resolvers, query, variables), statements: statements.length, lookAhead };
}

const COMPANY_FIELDS = `
  __typename id name ticker exchange businessLines
  sites(first: 3) { __typename totalCount edges { __typename node { __typename id name region country status purpose powerCapacityMw hashrateEh gridConnected commissionedOn } } pageInfo { hasNextPage hasPreviousPage } }
  allSites: sites(first: 100) { totalCount edges { node { name hashrateEh } } pageInfo { hasNextPage } }
  texas: sites(first: 100, filter: { regions: ["Texas"], status: OPERATING }) { totalCount edges { node { name } } }
  siteSummary { __typename siteCount reportedSiteCount reportedRegions totalPowerCapacityMw totalHashrateEh regions { __typename region siteCount powerCapacityMw hashrateEh } }
  before: holdings(on: "2019-12-31") { on btc valueUsd btcPriceUsd btcPriceAt pledgedBtc pledgedBtcComplete percentOfSupply anchor { on btc basis } }
  january: holdings(on: "2026-01-31") { __typename on btc valueUsd btcPriceUsd btcPriceAt pledgedBtc pledgedBtcComplete percentOfSupply anchor { __typename on btc basis } }
  march: holdings(on: "2026-03-31") { on btc valueUsd pledgedBtc pledgedBtcComplete percentOfSupply anchor { on btc } }
  today: holdings { on btc }
  loans { __typename id kind description lender principalUsd repaidUsd outstandingUsd collateralBtc collateralBtcReported collateralDisclosed originatedOn maturesOn interestRatePercent status marginCallLtv liquidationLtv ltv btcPriceAt marginCallPriceUsd liquidationPriceUsd repayments { __typename id amountUsd paidOn collateralReleasedBtc } }
  active: loans(status: ACTIVE) { lender outstandingUsd }
  stock { __typename id symbol name kind quoteCurrency latestPrice { __typename at priceUsd } raw: latestPrice(adjusted: false) { at priceUsd }
    candles(from: "2025-11-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: DAY) { __typename start open high low close volume }
    rawWeeks: candles(from: "2025-11-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: WEEK, adjusted: false) { start close }
    hours: candles(from: "2026-02-20T20:30:00Z", to: "2026-02-27T22:00:00Z", interval: HOUR) { start open high low close volume } }
  productionReports(first: 2) { totalCount edges { node { __typename id periodStart periodEnd period minedBtc soldBtc soldUsd heldBtc deployedHashrateEh operatingHashrateEh btcPerDay btcPerEhPerDay } } pageInfo { hasNextPage hasPreviousPage } }
  recent: productionReports(first: 50, periodEndFrom: "2026-01-31") { totalCount edges { node { periodEnd btcPerDay } } }
`;

const COMPILED: [string, string, Record<string, unknown>?][] = [
  ['the bench dashboard', DASHBOARD_QUERY, DASHBOARD_VARIABLES],
  ['the bench list', LIST_QUERY, LIST_VARIABLES],
  [
    'every compiled field of every company',
    `{ companies(first: 100) { totalCount edges { node { ${COMPANY_FIELDS} } } pageInfo { hasNextPage hasPreviousPage } } }`,
  ],
  ['one company by ticker, case and spaces ignored', `query ($t: String!) { company(ticker: $t) { ${COMPANY_FIELDS} } }`, { t: ' zzsp ' }],
  ['a company that does not exist', `{ company(ticker: "NOPE") { name } }`],
  ['by name, a short page', `{ companies(first: 4, orderBy: NAME_ASC) { edges { node { name } } pageInfo { hasNextPage } } }`],
  ['an empty page', `{ companies(first: 0) { totalCount edges { node { ticker } } pageInfo { hasNextPage hasPreviousPage } } }`],
  [
    'every filter',
    `query ($f: CompanyFilter) { companies(filter: $f) { totalCount edges { node { ticker } } } }`,
    { f: { tickers: ['zzsp', ' cang ', 'zzun'], nameContains: '_test %', businessLine: 'AI_COMPUTE', hasBtcBackedDebt: true } },
  ],
  [
    'debt or none',
    `{ with: companies(filter: { hasBtcBackedDebt: true }) { edges { node { ticker } } } without: companies(filter: { hasBtcBackedDebt: false }) { edges { node { ticker } } } }`,
  ],
  [
    'fragments, aliases, directives and __typename',
    `query ($on: Date!, $yes: Boolean!, $no: Boolean!) {
      __typename
      first: companies(first: 3) { ...page }
      again: companies(first: 3) { edges { node { ticker } } edges { node { name ticker: ticker } } }
      company(ticker: "ZZSP") { ... on Company { ticker } ...figures holdings(on: $on) @include(if: $yes) { btc } skipped: name @skip(if: $yes) kept: name @include(if: $yes) @skip(if: $no) }
    }
    fragment page on CompanyConnection { edges { node { ticker ...figures } } }
    fragment figures on Company { holdings(on: $on) { valueUsd } loans { ltv } }`,
    { on: '2026-01-31', yes: true, no: false },
  ],
  ...candleQueries(),
];

/** Candles of ZZHR (see hourly()) in every interval, adjusted and not, over windows on and off bucket boundaries. */
function candleQueries(): [string, string, Record<string, unknown>?][] {
  const windows = [
    ['across the ratio changes, off the boundaries', '2026-03-01T00:30:00Z', '2026-03-08T05:17:00.5Z'],
    ['on the boundaries', '2026-03-02T00:00:00Z', '2026-03-06T01:00:00Z'],
    ['over months', '2026-02-01T00:00:00Z', '2026-05-01T00:00:00Z'],
  ] as const;
  const queries: [string, string, Record<string, unknown>?][] = [];
  for (const [window, from, to] of windows) {
    for (const interval of ['HOUR', 'DAY', 'WEEK', 'MONTH']) {
      queries.push([
        `${interval} candles ${window}, adjusted and not`,
        `query ($from: DateTime, $to: DateTime) { asset(symbol: "zzhr") {
          candles(from: $from, to: $to, interval: ${interval}) { __typename start open high low close volume }
          asked: candles(from: $from, to: $to, interval: ${interval}, adjusted: true) { close }
          raw: candles(from: $from, to: $to, interval: ${interval}, adjusted: false) { start open high low close volume } } }`,
        { from, to },
      ]);
    }
  }
  queries.push(
    [
      'candles with every asset field, a year before `to` by default',
      `{ asset(symbol: " ZZHR ") { __typename id symbol name kind quoteCurrency latestPrice { at priceUsd }
        candles(to: "2026-03-04T12:00:00Z", interval: DAY) { start close } } }`,
    ],
    [
      'candles over an empty range: the day without prices, before any price, within one hour',
      `{ asset(symbol: "ZZHR") {
        gap: candles(from: "2026-03-07T00:00:00Z", to: "2026-03-08T00:00:00Z", interval: HOUR) { start }
        before: candles(from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z", interval: DAY) { start }
        within: candles(from: "2026-03-01T00:00:00.001Z", to: "2026-03-01T00:59:59Z", interval: HOUR) { start } } }`,
    ],
    [
      'candles of an asset that does not exist',
      `{ asset(symbol: "NOPE") { candles(from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z", interval: HOUR) { start } } }`,
    ],
    [
      'the bench query shape, with the bench asset missing',
      `{ asset(symbol: "SYNTH") { candles(from: "2025-03-01T00:00:00Z", to: "2025-04-01T00:00:00Z", interval: HOUR) { start open high low close volume } } }`,
    ],
  );
  return queries;
}

describe('look-ahead: one SQL statement, the same answer as the resolvers', () => {
  it.each(COMPILED)('%s', async (_name, query, variables) => {
    const { compiled, resolved, statements, lookAhead } = await bothWays(query, variables);
    expect(compiled).toBe(resolved);
    expect(compiled.slice(0, 300)).toMatch(/^200 \{"data":/);
    expect([statements, lookAhead]).toEqual([1, 1]);
  });

  it('the fixture holds what the corner cases need', async () => {
    const answer = await served.server.query(`{ company(ticker: "ZZSP") {
      stock { latestPrice { priceUsd } raw: latestPrice(adjusted: false) { priceUsd } }
      loans { marginCallPriceUsd repayments { amountUsd } } sites(first: 5) { totalCount } } }`);
    // 6.6666 / (10 × 0.3), rounded half-up to 8 places; the raw close as stored, trimmed.
    expect(answer.company.stock).toEqual({ latestPrice: { priceUsd: '2.2222' }, raw: { priceUsd: '6.6666' } });
    expect(answer.company.loans.find((loan: any) => loan.repayments.length > 0).repayments).toEqual([
      { amountUsd: '1' },
      { amountUsd: '1000000.5' },
    ]);
    expect(answer.company.sites.totalCount).toBe(3);
    const empty = await served.server.query(`{ company(ticker: "ZZEM") { stock { latestPrice { priceUsd } } } }`);
    expect(empty.company.stock.latestPrice.priceUsd).toBe('0.123456789012');
    const unity = await served.server.query(`{ company(ticker: "ZZUN") { stock { latestPrice { priceUsd } } } }`);
    // Ratios 2 and 0.5 multiply to 1: the close is served as stored.
    expect(unity.company.stock.latestPrice.priceUsd).toBe('6.6666');
    const window = 'from: "2026-03-01T00:30:00Z", to: "2026-03-08T05:17:00.5Z", interval: DAY';
    const days = await served.server.query(
      `{ asset(symbol: "ZZHR") { candles(${window}) { start open close } raw: candles(${window}, adjusted: false) { start open close } } }`,
    );
    // 03-01's bucket starts before `from`; nothing was observed on 03-07.
    expect(days.asset.candles.map((candle: any) => candle.start)).toEqual(
      ['02', '03', '04', '05', '06', '08'].map((day) => `2026-03-${day}T00:00:00.000Z`),
    );
    expect(days.asset.raw.map((candle: any) => candle.start)).toEqual(days.asset.candles.map((candle: any) => candle.start));
    // 77.024549636467 / (4 × 0.7 × 3.125) and 90.044689058341 / 3.125, rounded half-up to 8 places;
    // after the last change only rounded.
    expect([days.asset.raw[0].open, days.asset.candles[0].open]).toEqual(['77.024549636467', '8.80280567']);
    expect([days.asset.raw[3].close, days.asset.candles[3].close]).toEqual(['90.044689058341', '28.8143005']);
    expect([days.asset.raw[4].close, days.asset.candles[4].close]).toEqual(['31.21031691292', '31.21031691']);
  });
});

const RESOLVED: [string, string, Record<string, unknown>?][] = [
  ['a field look-ahead does not compile (source)', `{ companies(first: 2) { edges { node { ticker source { title } } } } }`],
  ['a page after a cursor', `{ companies(first: 1, after: "WyJjb21wYW5pZXM6VElDS0VSX0FTQyIsIkNBTkciXQ") { edges { node { ticker } } } }`],
  ['an order by holdings', `{ companies(first: 3, orderBy: HOLDINGS_DESC) { edges { node { ticker } } } }`],
  ['a page too large: the resolvers word the error', `{ companies(first: 101) { edges { node { ticker } } } }`],
  ['a malformed variable', `query ($on: Date!) { companies { edges { node { holdings(on: $on) { btc } } } } }`, { on: '2026-02-30' }],
  ['ltv at a given price', `{ company(ticker: "ZZSP") { loans { ltv(btcPriceUsd: "50000") } } }`],
  [
    'candles up to now, the default `to`',
    `{ asset(symbol: "ZZHR") { candles(from: "2026-03-05T00:00:00Z", interval: DAY) { start close } } }`,
  ],
  [
    'candles from after `to`: the resolver words the error',
    `{ asset(symbol: "ZZHR") { candles(from: "2026-03-05T00:00:00Z", to: "2026-03-04T00:00:00Z", interval: HOUR) { start } } }`,
  ],
  [
    'candles from `to` to `to`: the same error',
    `{ asset(symbol: "ZZHR") { candles(from: "2026-03-05T00:00:00Z", to: "2026-03-05T00:00:00Z", interval: DAY) { start } } }`,
  ],
  [
    'more HOUR candles than fit in one request',
    `{ asset(symbol: "ZZHR") { candles(from: "2025-01-01T00:00:00Z", to: "2026-03-05T00:00:00Z", interval: HOUR) { start } } }`,
  ],
  [
    'candles beside a field look-ahead does not compile',
    `{ asset(symbol: "ZZHR") { corporateActions { effectiveOn ratio } candles(from: "2026-03-01T00:00:00Z", to: "2026-03-08T00:00:00Z", interval: DAY) { start close } } }`,
  ],
];

describe('look-ahead: what it does not compile runs through the resolvers, unchanged', () => {
  it.each(RESOLVED)('%s', async (_name, query, variables) => {
    const { compiled, resolved, lookAhead } = await bothWays(query, variables);
    expect(compiled).toBe(resolved);
    expect(lookAhead).toBe(0);
  });
});
