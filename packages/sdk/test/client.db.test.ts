import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyHeaders, snapshot, useTestServer } from '@minergraph/test-support';
import {
  createClient,
  TypedDocumentString,
  type MinerGraphClient,
  type RecordTreasuryTransactionMutation,
  type UserErrorCode,
} from '../src/index.js';
import { failure } from './support/failure.js';

let client: MinerGraphClient;

const served = useTestServer();

beforeAll(async () => {
  client = createClient({ url: served.server.url });
});

/** A throwaway HTTP server on 127.0.0.1, for failures the real server does not produce. */
async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const httpServer = http.createServer(handler);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

// The seed's pages (data/companies/CANG.yaml, data/prices/*.yaml): each citation is the page with
// the sentence that states the fact and the day it gives the figure for. A page that shows no
// title of its own gets the loader's placeholder title.
const UNTITLED = '(the page shows no title)';
type Page = { title: string; url: string; publisher: string; publishedOn: string | null; kind: string };
const cite = (page: Page, quote: string, asOf: string) => ({ ...page, quote, asOf });
const theMinerMag: Page = {
  title: 'Cango Sells 4,451 BTC, Cuts Bitcoin Reserves by 60% to Repay Loan',
  url: 'https://theminermag.com/news/2026-02-09/cango-sell-bitcoin-4451-btc',
  publisher: 'TheMinerMag',
  publishedOn: '2026-02-09',
  kind: 'TRADE_PRESS',
};
const grafaJanuary: Page = {
  title: UNTITLED,
  url: 'https://grafa.com/pt-BR/news/united-states/cango-bitcoin-mining-update-jan-2026',
  publisher: 'Grafa',
  publishedOn: null,
  kind: 'NEWS',
};
const grafaSale: Page = {
  title: UNTITLED,
  url: 'https://grafa.com/pt-BR/news/united-states/cango-sells-4451-bitcoin-miner-pressure',
  publisher: 'Grafa',
  publishedOn: null,
  kind: 'NEWS',
};
const globalFintechEdge: Page = {
  title: 'Cango’s Bitcoin Bet Gets Bigger: December Output Rises as Miner Stockpiles 7,500+ BTC',
  url: 'https://globalfintechedge.com/news/cangos-bitcoin-bet-gets-bigger-december-output-rises-as-miner-stockpiles-7500-btc',
  publisher: 'Global Fintech Edge',
  publishedOn: null,
  kind: 'NEWS',
};
const coinNewsByte: Page = {
  title: UNTITLED,
  url: 'https://coinnewsbyte.com/bitcoin/cango-sells-4451-btc-for-305-million-to-expand-ai-operations',
  publisher: 'CoinNewsByte (only source)',
  publishedOn: null,
  kind: 'NEWS',
};
const januaryHeld = cite(
  grafaJanuary,
  'The company, which transformed from a Chinese automotive servicer into a global mining powerhouse over the last year, ended January with 7,474.6 BTC in its treasury.',
  '2026-01-31',
);
const btcLatest = cite(
  coinNewsByte,
  'Currently, Bitcoin is trading near $70,727, reflecting a slight decline of about 0.2% over the past 24 hours, and approximately 10% lower compared to the previous week.',
  '2026-02-09',
);
const btcPeak = cite(coinNewsByte, 'This price is also around 44% beneath its peak of $126,080 reached in October.', '2025-10-06');
const cangLatest = {
  at: '2026-02-06T00:00:00.000Z',
  priceUsd: '0.97',
  source: cite(
    {
      title: 'Cango (CANG) Bitcoin Treasury Dashboard',
      url: 'https://bitcoinquant.co/company/CANG',
      publisher: 'BitcoinQuant (treasury dashboard) (only source)',
      publishedOn: null,
      kind: 'AGGREGATOR',
    },
    'CANG 1W Return Feb 6, 2026 ($0.97) → Feb 16, 2026 ($0.88)',
    '2026-02-06',
  ),
};
/** A source as a write through the API stores it: no kind, and no quote or day unless given. */
const stored = <T extends object>(source: T) => ({ asOf: null, quote: null, kind: null, ...source });
/** Where the writes refused for their key say they read their figures: they are otherwise valid. */
const refusedSource = { title: 'Cango treasury update (test data)', url: 'https://example.com/cango/refused' };
const cangoProfile = { name: 'Cango Inc.', ticker: 'CANG', exchange: 'NYSE', businessLines: ['BITCOIN_MINING', 'AI_COMPUTE'] };
const februarySale = {
  btc: '4451',
  usd: '305000000',
  averagePriceUsd: '68523.92720737',
  occurredOn: '2026-02-08',
};
const januaryFlow = {
  from: '2026-01-01',
  to: '2026-01-31',
  openingBtc: '7528.3',
  minedBtc: '496.35',
  purchasedBtc: '0',
  soldBtc: '550.03',
  soldUsd: '39000000',
  averageSalePriceUsd: '70905.22335145',
  otherBtc: '0',
  closingBtc: '7474.6',
  unexplainedBtc: '-0.02',
};
const februaryFlow = {
  from: '2026-02-01',
  to: '2026-02-09',
  openingBtc: '7474.6',
  minedBtc: '0',
  purchasedBtc: '0',
  soldBtc: '4451',
  soldUsd: '305000000',
  averageSalePriceUsd: '68523.92720737',
  otherBtc: '0',
  closingBtc: '3023.6',
  unexplainedBtc: '0',
};
const treasuryReportVariables = {
  ticker: 'CANG',
  on: '2026-02-09',
  endOfDay: '2026-02-09T23:59:59.999Z',
  month1From: '2025-12-01',
  month1To: '2025-12-31',
  month2From: '2026-01-01',
  month2To: '2026-01-31',
  month3From: '2026-02-01',
  month3To: '2026-02-09',
};

describe('client.company', () => {
  it('says what Cango held after the February sale, from which report, and what it was worth', async () => {
    const { company } = await client.company({ ticker: 'cang', from: '2026-02-01', to: '2026-02-09' });
    expect(company).toMatchObject(cangoProfile);
    expect(company?.holdings).toEqual({
      on: '2026-02-09',
      btc: '3023.6',
      btcPriceUsd: '70727',
      valueUsd: '213850157.2',
      pledgedBtc: '0',
      // 3023.6 / 21,000,000 × 100, half-up at 8 places
      percentOfSupply: 0.0143981,
      anchor: { on: '2026-01-31', btc: '7474.6', source: januaryHeld },
    });
  });

  it('explains the treasury between the two days: 4451 BTC sold for 68523.92720737 USD each, nothing unexplained', async () => {
    const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-09' });
    expect(company?.treasuryFlow).toEqual(februaryFlow);
  });

  it('lists the loan the sale repaid, whose LTV and margin-call price cannot be computed without a principal', async () => {
    const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-09' });
    expect(company?.loans).toEqual([
      {
        id: expect.any(String),
        lender: null,
        status: 'ACTIVE',
        principalUsd: null,
        repaidUsd: '305000000',
        outstandingUsd: null,
        collateralBtc: '0',
        originatedOn: null,
        maturesOn: null,
        interestRatePercent: null,
        marginCallLtv: null,
        liquidationLtv: null,
        ltv: null,
        marginCallPriceUsd: null,
        liquidationPriceUsd: null,
        repayments: [
          {
            id: expect.any(String),
            amountUsd: '305000000',
            paidOn: '2026-02-08',
            collateralReleasedBtc: '0',
            fundedBy: { id: expect.any(String), ...februarySale },
            source: cite(
              theMinerMag,
              'In a statement released Monday, Cango said the bitcoin was sold on the open market and settled directly in USDT, generating net proceeds of about $305 million at a price of around $68,000. The company said the proceeds were used to partially repay a bitcoin-collateralized loan.',
              '2026-02-08',
            ),
          },
        ],
        source: cite(
          theMinerMag,
          'The company said the proceeds were used to partially repay a bitcoin-collateralized loan.',
          '2026-02-09',
        ),
      },
    ]);
  });

  it('has the officers, the reported site count, the production updates and the latest share price', async () => {
    const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-09' });
    expect(company?.officers).toEqual([
      {
        name: 'Paul Yu',
        role: 'CEO',
        since: null,
        previousEmployer: null,
        source: cite(
          grafaJanuary,
          '"Extreme cold caused temporary downtime, but favorable network difficulty adjustments helped mitigate the impact," said Paul Yu, Chief Executive Officer of Cango.',
          '2026-01-31',
        ),
      },
      {
        name: 'Jack Jin',
        role: 'CTO',
        // CANG.yaml gives the month, 2026-02; a Date stores its first day.
        since: '2026-02-01',
        previousEmployer: 'Zoom',
        source: cite(
          theMinerMag,
          'Alongside the bitcoin sale, Cango announced the appointment of Jack Jin as chief technology officer of its new AI business line. Jin previously worked at Zoom Communications, where he focused on large-scale GPU clusters and AI infrastructure.',
          '2026-02-09',
        ),
      },
      {
        name: 'Yongyi Zhang',
        role: 'Chief Financial Officer',
        since: null,
        previousEmployer: null,
        source: cite(
          {
            title: 'Form 6-K, Cango Inc., for the month of December 2025 (Exhibit 99.1: Third Quarter 2025 Unaudited Financial Results)',
            url: 'https://us.kabutan.jp/disclosures/0001104659-25-117521?lang=en',
            publisher: 'Cango Inc. (SEC filing 0001104659-25-117521, Kabutan mirror)',
            publishedOn: '2025-12-02',
            kind: 'FILING',
          },
          'By: /s/ Yongyi Zhang Name: Yongyi Zhang Title: Chief Financial Officer',
          '2025-12-02',
        ),
      },
    ]);
    expect(company?.siteSummary).toEqual({
      siteCount: 0,
      reportedSiteCount: 40,
      totalPowerCapacityMw: '0',
      totalHashrateEh: '0',
      regions: [],
    });
    // Every report of data/companies/CANG.yaml, newest period end first (the Q1 2026 release's
    // quarter ends last); each with the page stating its mined BTC.
    expect(company?.productionReports).toEqual({
      totalCount: 6,
      edges: [
        {
          node: {
            id: expect.any(String),
            periodStart: '2026-01-01',
            periodEnd: '2026-03-31',
            minedBtc: '1266',
            soldBtc: null,
            soldUsd: null,
            heldBtc: '1026',
            deployedHashrateEh: null,
            operatingHashrateEh: null,
            btcPerDay: '14.06666667',
            btcPerEhPerDay: null,
            source: cite(
              {
                title: 'Cango Inc. Reports First Quarter 2026 Unaudited Financial Results',
                url: 'https://markets.ft.com/data/announce/full?dockey=600-202605311800PR_NEWS_USPRX____CN71370-1',
                publisher: 'Cango Inc. via PR Newswire (reprinted on markets.ft.com)',
                publishedOn: '2026-05-31',
                kind: 'WIRE_REPRINT',
              },
              'During the quarter, the Company mined 1,266 Bitcoin.',
              '2026-03-31',
            ),
          },
        },
        {
          node: {
            id: expect.any(String),
            periodStart: '2026-02-01',
            periodEnd: '2026-02-28',
            minedBtc: '454.83',
            soldBtc: null,
            soldUsd: null,
            heldBtc: '3313.4',
            deployedHashrateEh: '50',
            operatingHashrateEh: '34.55',
            btcPerDay: '16.24392857',
            btcPerEhPerDay: '0.47015712',
            source: cite(
              {
                title: 'Cango Inc. Announces February 2026 Computing and Energy Operations Update',
                url: 'https://www.stocktitan.net/news/CANG/cango-inc-announces-february-2026-computing-and-energy-operations-mbcqgu0fbo5p.html',
                publisher: "Stock Titan (page titled with Cango's release; body is a Rhea-AI summary)",
                publishedOn: null,
                kind: 'AGGREGATOR',
              },
              'The company produced 454.83 BTC in February and held 3,313.4 BTC as of February 28.',
              '2026-02-28',
            ),
          },
        },
        {
          node: {
            id: expect.any(String),
            periodStart: '2026-01-01',
            periodEnd: '2026-01-31',
            minedBtc: '496.35',
            soldBtc: '550.03',
            soldUsd: '39000000',
            heldBtc: '7474.6',
            deployedHashrateEh: '50',
            operatingHashrateEh: '37.02',
            btcPerDay: '16.01129032',
            btcPerEhPerDay: '0.43250379',
            source: cite(
              grafaJanuary,
              'The Dallas-based miner produced 496.35 BTC in January, a 13% decline from the 569 BTC generated in December.',
              '2026-01-31',
            ),
          },
        },
        {
          node: {
            id: expect.any(String),
            periodStart: '2025-12-01',
            periodEnd: '2025-12-31',
            minedBtc: '569',
            soldBtc: null,
            soldUsd: null,
            heldBtc: '7528.3',
            deployedHashrateEh: null,
            operatingHashrateEh: '43.36',
            btcPerDay: '18.35483871',
            btcPerEhPerDay: '0.4233127',
            source: cite(
              globalFintechEdge,
              'In its December 2025 mining update, the company reported producing 569 Bitcoin during the month, up from 546.7 BTC in November.',
              '2025-12-31',
            ),
          },
        },
        {
          node: {
            id: expect.any(String),
            periodStart: '2025-11-01',
            periodEnd: '2025-11-30',
            minedBtc: '546.7',
            soldBtc: null,
            soldUsd: null,
            heldBtc: null,
            deployedHashrateEh: null,
            operatingHashrateEh: '44.38',
            btcPerDay: '18.22333333',
            btcPerEhPerDay: '0.4106204',
            source: cite(
              globalFintechEdge,
              'In its December 2025 mining update, the company reported producing 569 Bitcoin during the month, up from 546.7 BTC in November.',
              '2025-11-30',
            ),
          },
        },
        {
          node: {
            id: expect.any(String),
            periodStart: '2025-10-01',
            periodEnd: '2025-10-31',
            minedBtc: '602.6',
            soldBtc: null,
            soldUsd: null,
            heldBtc: '6412.6',
            deployedHashrateEh: null,
            operatingHashrateEh: null,
            btcPerDay: '19.43870968',
            btcPerEhPerDay: null,
            source: cite(
              {
                title: 'Cango news (Ticker: CANG)',
                url: 'https://www.stocktitan.net/news/CANG',
                publisher: "Stock Titan (news index page with Rhea-AI summaries of Cango's releases)",
                publishedOn: null,
                kind: 'AGGREGATOR',
              },
              'Key metrics: 602.6 BTC produced in October (avg 19.44 BTC/day), 6,412.6 BTC held as of month-end',
              '2025-10-31',
            ),
          },
        },
      ],
    });
    expect(company?.stock).toEqual({
      id: expect.any(String),
      symbol: 'CANG',
      name: 'Cango Inc. shares',
      kind: 'EQUITY',
      quoteCurrency: 'USD',
      latestPrice: cangLatest,
    });
  });

  it('is null for a ticker nobody has', async () => {
    expect(await client.company({ ticker: 'NOPE', from: '2026-01-01', to: '2026-01-31' })).toEqual({ company: null });
  });
});

describe('client.treasuryReport', () => {
  it('explains January 2026: 496.35 mined, 550.03 sold, and 0.02 BTC the flows do not account for', async () => {
    const { company } = await client.treasuryReport(treasuryReportVariables);
    expect(company?.month2).toEqual(januaryFlow);
    expect(company?.month3).toEqual(februaryFlow);
    // October's 6,412.6 held and November's 546.7 mined open December at 6,959.3; December's 569
    // mined then explain its 7,528.3 exactly.
    expect(company?.month1).toEqual({
      from: '2025-12-01',
      to: '2025-12-31',
      openingBtc: '6959.3',
      minedBtc: '569',
      purchasedBtc: '0',
      soldBtc: '0',
      soldUsd: '0',
      averageSalePriceUsd: null,
      otherBtc: '0',
      closingBtc: '7528.3',
      unexplainedBtc: '0',
    });
  });

  it('lists the flows behind the three months, newest first, each with its source', async () => {
    const { company } = await client.treasuryReport(treasuryReportVariables);
    expect(company?.treasuryTransactions.totalCount).toBe(4);
    expect(company?.treasuryTransactions.edges.map(({ node }) => node)).toMatchObject([
      {
        kind: 'SOLD',
        ...februarySale,
        balanceAfterBtc: '3023.6',
        note: 'Sold on the open market over 7-8 February 2026, settled in USDT; the proceeds partially repaid a Bitcoin-collateralized loan.',
        source: cite(
          grafaSale,
          'Cango sold 4,451 bitcoin over Feb. 7–8, completing one of the largest confirmed miner liquidations of 2026 as falling prices and tight margins pressure the sector.',
          '2026-02-08',
        ),
      },
      {
        kind: 'SOLD',
        btc: '550.03',
        usd: '39000000',
        averagePriceUsd: '70905.22335145',
        occurredOn: '2026-01-31',
        balanceAfterBtc: '7474.6',
        source: cite(
          grafaJanuary,
          'In a tactical shift, Cango sold 550.03 BTC during the month—more than its total monthly production—to capitalize on liquidity for its expanding inference platform.',
          '2026-01-31',
        ),
      },
      {
        kind: 'MINED',
        btc: '496.35',
        usd: null,
        averagePriceUsd: null,
        occurredOn: '2026-01-31',
        balanceAfterBtc: '7474.6',
        source: cite(
          grafaJanuary,
          'The Dallas-based miner produced 496.35 BTC in January, a 13% decline from the 569 BTC generated in December.',
          '2026-01-31',
        ),
      },
      {
        kind: 'MINED',
        btc: '569',
        usd: null,
        averagePriceUsd: null,
        occurredOn: '2025-12-31',
        balanceAfterBtc: '7528.3',
        source: cite(
          globalFintechEdge,
          'In its December 2025 mining update, the company reported producing 569 Bitcoin during the month, up from 546.7 BTC in November.',
          '2025-12-31',
        ),
      },
    ]);
  });

  it('values the holdings at the BTC close of the day and says where that price came from', async () => {
    const { company, btc } = await client.treasuryReport(treasuryReportVariables);
    expect([company?.holdings.btc, company?.holdings.valueUsd]).toEqual(['3023.6', '213850157.2']);
    expect(btc?.priceAt).toEqual({ at: '2026-02-09T00:00:00.000Z', priceUsd: '70727', source: btcLatest });
  });
});

describe('client.companies', () => {
  it('pages through the companies: one page of one, and an empty page after its cursor', async () => {
    const first = await client.companies({ first: 1 });
    expect(first.companies.totalCount).toBe(1);
    expect(first.companies.edges.map(({ node }) => node)).toEqual([
      // Today's holdings are the Q1 2026 release's 1,026 BTC (2026-03-31), at the latest seeded BTC price, 70,727.
      {
        id: expect.any(String),
        ...cangoProfile,
        holdings: { on: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), btc: '1026', valueUsd: '72565902' },
      },
    ]);
    expect(first.companies.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: first.companies.edges[0]?.cursor,
      endCursor: first.companies.edges[0]?.cursor,
    });
    const after = await client.companies({ first: 1, after: first.companies.pageInfo.endCursor });
    expect([after.companies.totalCount, after.companies.edges]).toEqual([1, []]);
  });

  it('filters by name and by ticker', async () => {
    const byName = await client.companies({ filter: { nameContains: 'cango' }, orderBy: 'HOLDINGS_DESC' });
    expect(byName.companies.edges.map(({ node }) => node.ticker)).toEqual(['CANG']);
    const byTicker = await client.companies({ filter: { tickers: ['MARA'] } });
    expect([byTicker.companies.totalCount, byTicker.companies.edges]).toEqual([0, []]);
  });
});

describe('client.asset and client.assets', () => {
  it("says how far BTC is below its all-time high, with the price's candles and change since the peak", async () => {
    const { asset } = await client.asset({
      symbol: 'btc',
      from: '2025-10-06T00:00:00.000Z',
      to: '2026-02-10T00:00:00.000Z',
      interval: 'DAY',
      at: '2026-01-15T00:00:00.000Z',
    });
    expect(asset).toMatchObject({
      symbol: 'BTC',
      name: 'Bitcoin',
      kind: 'CRYPTO',
      quoteCurrency: 'USD',
      latestPrice: { at: '2026-02-09T00:00:00.000Z', priceUsd: '70727', source: btcLatest },
      allTimeHigh: { at: '2025-10-06T00:00:00.000Z', priceUsd: '126080', source: btcPeak },
      // The last seeded price before 2026-01-15: the 2026-01-01 open (data/prices/BTC.yaml).
      priceAt: {
        at: '2026-01-01T00:00:00.000Z',
        priceUsd: '87700',
        source: cite(
          {
            title: UNTITLED,
            url: 'https://phemex.com/news/article/bitcoin-faces-steep-22-decline-in-q1-2026-worst-start-since-2018-60789',
            publisher: 'Phemex News (citing CoinGlass data)',
            publishedOn: null,
            kind: 'AGGREGATOR',
          },
          'Bitcoin has experienced a significant downturn in the first quarter of 2026, dropping approximately 22% from its January opening of $87,700 to around $68,000.',
          '2026-01-01',
        ),
      },
      // One observation a quoted price: 2025-10-06 opens with the 126,080 high (its first instant)
      // and closes at 124,752.53 (its last millisecond).
      candles: [
        { start: '2025-10-06T00:00:00.000Z', open: '126080', high: '126080', low: '124752.53', close: '124752.53', volume: null },
        { start: '2025-12-31T00:00:00.000Z', open: '87549.41', high: '87549.41', low: '87549.41', close: '87549.41', volume: null },
        { start: '2026-01-01T00:00:00.000Z', open: '87700', high: '87700', low: '87700', close: '87700', volume: null },
        { start: '2026-02-08T00:00:00.000Z', open: '70854', high: '70854', low: '70854', close: '70854', volume: null },
        { start: '2026-02-09T00:00:00.000Z', open: '70727', high: '70727', low: '70727', close: '70727', volume: null },
      ],
      change: {
        // From the first price at or after `from`: the peak itself, 126,080.
        from: { at: '2025-10-06T00:00:00.000Z', priceUsd: '126080' },
        to: { at: '2026-02-09T00:00:00.000Z', priceUsd: '70727', source: btcLatest },
        changeUsd: '-55353',
        high: '126080',
        low: '70727',
      },
      corporateActions: [],
    });
    // -55353 / 126080 × 100 and 1 - 70727 / 126080, half-up at 8 places
    expect(asset?.change?.changePercent).toBe(-43.90307741);
    expect(asset?.drawdownFromAllTimeHigh).toBe(0.43903077);
    expect(asset?.drawdownFromAllTimeHigh?.toFixed(3)).toBe('0.439');
  });

  it('is null for a symbol nobody has', async () => {
    const variables = { symbol: 'DOGE', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z', at: '2026-01-01T00:00:00.000Z' };
    expect(await client.asset(variables)).toEqual({ asset: null });
  });

  it('lists BTC and the CANG shares, and only the shares when asked for equity', async () => {
    const all = await client.assets();
    expect(all.assets.map(({ symbol, kind, latestPrice }) => [symbol, kind, latestPrice?.priceUsd])).toEqual([
      ['BTC', 'CRYPTO', '70727'],
      ['CANG', 'EQUITY', '0.97'],
    ]);
    const equity = await client.assets({ kind: 'EQUITY' });
    expect(equity.assets.map(({ symbol }) => symbol)).toEqual(['CANG']);
  });
});

describe('client.node', () => {
  it('finds a company, a loan, a sale, a production report and an asset by the ids other queries gave', async () => {
    const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-09' });
    const report = await client.treasuryReport(treasuryReportVariables);
    const ids = {
      company: company!.id,
      loan: company!.loans[0]!.id,
      sale: report.company!.treasuryTransactions.edges[0]!.node.id,
      production: company!.productionReports.edges[0]!.node.id,
      stock: company!.stock!.id,
    };
    const found = await Promise.all(Object.values(ids).map((id) => client.node({ id })));
    expect(found.map(({ node }) => node)).toEqual([
      { __typename: 'Company', id: ids.company, name: 'Cango Inc.', ticker: 'CANG' },
      { __typename: 'Loan', id: ids.loan, lender: null, loanStatus: 'ACTIVE', outstandingUsd: null },
      { __typename: 'TreasuryTransaction', id: ids.sale, transactionKind: 'SOLD', btc: '4451', occurredOn: '2026-02-08' },
      // The newest report: the Q1 2026 release's quarter.
      { __typename: 'ProductionReport', id: ids.production, periodStart: '2026-01-01', periodEnd: '2026-03-31', minedBtc: '1266' },
      { __typename: 'Asset', id: ids.stock, symbol: 'CANG', name: 'Cango Inc. shares', assetKind: 'EQUITY' },
    ]);
  });
});

describe('client.request, for documents of your own', () => {
  it('sends a TypedDocumentString and returns its typed result', async () => {
    const holdings = new TypedDocumentString<{ company: { holdings: { btc: string } } | null }, { ticker: string; on: string }>(
      'query Held($ticker: String!, $on: Date!) { company(ticker: $ticker) { holdings(on: $on) { btc } } }',
    );
    expect(await client.request(holdings, { ticker: 'CANG', on: '2026-01-31' })).toEqual({ company: { holdings: { btc: '7474.6' } } });
  });

  it('sends a plain string, and a DocumentNode with or without its source text', async () => {
    expect(await client.request('{ asset(symbol: "CANG") { symbol } }')).toEqual({ asset: { symbol: 'CANG' } });
    const parsed = parse('query Ticker { companies { edges { node { ticker } } } }');
    expect(await client.request(parsed)).toEqual({ companies: { edges: [{ node: { ticker: 'CANG' } }] } });
    // What codegen's client preset emits: the AST as JSON, without `loc`.
    const stripped = JSON.parse(
      JSON.stringify(parse('query Symbols($kind: AssetKind) { assets(kind: $kind) { symbol } }', { noLocation: true })),
    );
    expect(await client.request(stripped, { kind: 'CRYPTO' })).toEqual({ assets: [{ symbol: 'BTC' }] });
  });

  it('refuses, before sending anything, an object that is not a parsed document', async () => {
    const schemaAst = parse('type Query { a: Int }', { noLocation: true });
    const error = await failure(client.request(schemaAst));
    expect(error.kind).toBe('config');
    expect(error.message).toMatch(/not a GraphQL document the client can send/);
    // @ts-expect-error the types refuse what the client cannot send
    const refused = await failure(client.request({ query: '{ assets { symbol } }' }));
    expect(refused.kind).toBe('config');
  });

  it("throws on a partial failure, naming the errors' codes and keeping the data that did come back", async () => {
    const document =
      'query Partial($first: Int) { btc: asset(symbol: "BTC") { symbol } company(ticker: "CANG") { treasuryTransactions(first: $first) { totalCount } } }';
    const error = await failure(client.request(document, { first: 101 }));
    expect(error).toMatchObject({
      kind: 'graphql',
      status: 200,
      codes: ['BAD_USER_INPUT'],
      operationName: 'Partial',
      data: { btc: { symbol: 'BTC' }, company: null },
      errors: [{ path: ['company', 'treasuryTransactions'], extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  it('throws on a query the schema rejects, with the HTTP status', async () => {
    const error = await failure(client.request('query Wrong { company(ticker: "CANG") { sharePrice } }'));
    expect(error).toMatchObject({
      kind: 'graphql',
      status: 400,
      codes: ['GRAPHQL_VALIDATION_FAILED'],
      operationName: 'Wrong',
      data: undefined,
    });
  });
});

describe('writes', () => {
  let companyId: string;
  let loanId: string;
  beforeAll(async () => {
    const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-09' });
    companyId = company!.id;
    loanId = company!.loans[0]!.id;
  });

  const writes: [string, (client: MinerGraphClient) => Promise<unknown>][] = [
    ['createCompany', (c) => c.createCompany({ input: { name: 'Hut 8 Corp.', ticker: 'HUT', businessLines: ['BITCOIN_MINING'] } })],
    [
      'createSite',
      (c) =>
        c.createSite({
          input: {
            companyId,
            name: 'Paraguay 1',
            region: 'South America',
            status: 'OPERATING',
            purpose: 'BITCOIN_MINING',
            source: refusedSource,
          },
        }),
    ],
    [
      'recordTreasuryTransaction',
      (c) =>
        c.recordTreasuryTransaction({
          input: { companyId, kind: 'SOLD', btc: '1', usd: '70000', occurredOn: '2026-02-10', source: refusedSource },
        }),
    ],
    [
      'recordProductionReport',
      (c) =>
        c.recordProductionReport({
          input: { companyId, periodStart: '2026-04-01', periodEnd: '2026-04-30', minedBtc: '480', source: refusedSource },
        }),
    ],
    [
      'createLoan',
      (c) =>
        c.createLoan({ input: { companyId, principalUsd: '1000000', collateralBtc: '30', marginCallLtv: 0.7, source: refusedSource } }),
    ],
    ['repayLoan', (c) => c.repayLoan({ input: { loanId, amountUsd: '1', paidOn: '2026-02-10', source: refusedSource } })],
    ['createAsset', (c) => c.createAsset({ input: { symbol: 'HUT', name: 'Hut 8 Corp. common shares', kind: 'EQUITY' } })],
    ['recordPrices', (c) => c.recordPrices({ input: { symbol: 'BTC', points: [{ at: '2026-02-10T00:00:00.000Z', close: '69000' }] } })],
    [
      'recordCorporateAction',
      (c) =>
        c.recordCorporateAction({
          input: { symbol: 'CANG', effectiveOn: '2026-01-05', ratio: '0.5', description: '1-for-2 reverse split' },
        }),
    ],
  ];

  it.each(writes)('%s without an API key is refused with UNAUTHENTICATED, and the error says to pass one', async (name, write) => {
    const error = await failure(write(client));
    const operationName = name[0]!.toUpperCase() + name.slice(1);
    expect(error).toMatchObject({ kind: 'graphql', codes: ['UNAUTHENTICATED'], operationName, errors: [{ path: [name] }] });
    expect(error.message).toContain('createClient({ url, apiKey })');
  });

  it('the refused writes changed nothing', async () => {
    const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-28' });
    const { companies } = await client.companies();
    const { assets } = await client.assets();
    expect({
      companies: companies.totalCount,
      assets: assets.map(({ symbol }) => symbol),
      btc: assets[0]?.latestPrice?.priceUsd,
      holdings: company?.holdings.btc,
      loans: company?.loans.map(({ repaidUsd }) => repaidUsd),
      productionReports: company?.productionReports.totalCount,
      // On 2026-02-28 the seed's February report anchors the holdings at 3,313.4 BTC; it has six reports.
    }).toEqual({ companies: 1, assets: ['BTC', 'CANG'], btc: '70727', holdings: '3313.4', loans: ['305000000'], productionReports: 6 });
  });

  it('an API key the server does not know is refused before anything runs, with HTTP 401', async () => {
    const stranger = createClient({ url: served.server.url, apiKey: 'mg_not_a_key' });
    const error = await failure(stranger.assets());
    expect(error).toMatchObject({ kind: 'graphql', status: 401, codes: ['UNAUTHENTICATED'], operationName: 'Assets' });
  });

  // The tests below write through an editor key, in order, to the file's one database. What
  // they leave behind, by hand, for Cango (3023.6 BTC at the end of 2026-02-09 in the seed:
  // January's 7,474.6 less the 4,451 sold; the seed's February report then anchors 3,313.4 on
  // 2026-02-28 and the Q1 2026 release 1,026 on 2026-03-31):
  //   2026-02-10  SOLD 23.6 for 1,650,000 USD                     -> 3000
  //   2026-02-11  PURCHASED 10 for 690,000 USD (sent twice)        -> 3010
  //   2026-02-28  (seed) February report                           -> 3313.4
  //   2026-02-15  a 20,000,000 USD loan on 500 BTC
  //   2026-03-02  4,800,000 USD repaid from 71.5 BTC sold for 5,000,000, 100 BTC released -> 3241.9
  //   2026-03-31  (seed) Q1 2026 report                            -> 1026
  //   2026-04-30  April report (test data): 480.2 mined, 1506 held -> 1506 (0.2 unexplained)
  // BTC's latest close stays 70,727 throughout; new prices go to HUT, a new asset.
  describe('with an editor key', () => {
    let editor: MinerGraphClient;
    let reader: MinerGraphClient;
    beforeAll(async () => {
      editor = createClient({ url: served.server.url, apiKey: (await keyHeaders(served.database, 'editor', 'sdk-editor')).key });
      reader = createClient({ url: served.server.url, apiKey: (await keyHeaders(served.database, 'reader', 'sdk-reader')).key });
    });

    const paraguay = {
      title: 'Cango site update',
      url: 'https://example.com/cango/sites',
      publisher: 'Example Wire',
      publishedOn: '2026-02-12',
    };
    const ledger = {
      title: 'Cango treasury update',
      url: 'https://example.com/cango/treasury',
      publisher: 'Example Wire',
      publishedOn: '2026-03-03',
    };

    it('createCompany with an editor key creates the company and returns it with no userErrors', async () => {
      const { createCompany } = await editor.createCompany({
        input: {
          name: ' Hut 8 Corp. ',
          ticker: ' hut ',
          exchange: 'NASDAQ',
          businessLines: ['BITCOIN_MINING', 'AI_COMPUTE', 'BITCOIN_MINING'],
        },
      });
      expect(createCompany).toEqual({
        company: {
          id: expect.any(String),
          name: 'Hut 8 Corp.',
          ticker: 'HUT',
          exchange: 'NASDAQ',
          businessLines: ['BITCOIN_MINING', 'AI_COMPUTE'],
        },
        userErrors: [],
      });
      const { companies } = await client.companies();
      expect(companies.edges.map(({ node }) => [node.ticker, node.id, node.holdings.btc])).toEqual([
        ['CANG', companyId, '1026'],
        ['HUT', createCompany.company!.id, '0'],
      ]);
    });

    it('createCompany with a ticker that exists returns ALREADY_EXISTS at ["input", "ticker"] and creates nothing', async () => {
      const before = await snapshot(served.database);
      const { createCompany } = await editor.createCompany({ input: { name: 'Cango again', ticker: 'cang' } });
      expect(createCompany).toEqual({
        company: null,
        userErrors: [{ field: ['input', 'ticker'], code: 'ALREADY_EXISTS', message: 'A company with ticker CANG exists already.' }],
      });
      expect(await snapshot(served.database)).toEqual(before);
    });

    it('createSite adds a site that siteSummary then counts in its region', async () => {
      const { createSite } = await editor.createSite({
        input: {
          companyId,
          name: 'Paraguay 1',
          region: 'South America',
          country: 'Paraguay',
          status: 'OPERATING',
          purpose: 'BITCOIN_MINING',
          powerCapacityMw: '100',
          hashrateEh: '3.4',
          gridConnected: true,
          commissionedOn: '2025-06-01',
          source: paraguay,
        },
      });
      expect(createSite).toEqual({
        site: {
          id: expect.any(String),
          name: 'Paraguay 1',
          region: 'South America',
          country: 'Paraguay',
          status: 'OPERATING',
          purpose: 'BITCOIN_MINING',
          powerCapacityMw: '100',
          hashrateEh: '3.4',
          gridConnected: true,
          commissionedOn: '2025-06-01',
          source: stored(paraguay),
        },
        userErrors: [],
      });
      for (const input of [
        { name: 'Paraguay 2', region: 'South America', powerCapacityMw: '20.25', hashrateEh: '0.6' },
        { name: 'Ethiopia 1', region: 'East Africa', powerCapacityMw: '50.5' },
      ]) {
        const { createSite: created } = await editor.createSite({
          input: { companyId, status: 'PLANNED', purpose: 'MIXED', source: paraguay, ...input },
        });
        expect(created.userErrors).toEqual([]);
        expect(created.site).toMatchObject({ ...input, country: null, gridConnected: null, source: stored(paraguay) });
      }
      const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-09' });
      expect(company?.siteSummary).toEqual({
        siteCount: 3,
        reportedSiteCount: 40,
        totalPowerCapacityMw: '170.75',
        totalHashrateEh: '4',
        regions: [
          { region: 'East Africa', siteCount: 1, powerCapacityMw: '50.5', hashrateEh: '0' },
          { region: 'South America', siteCount: 2, powerCapacityMw: '120.25', hashrateEh: '4' },
        ],
      });
    });

    it('recordTreasuryTransaction records a sale and returns it with its balanceAfterBtc', async () => {
      const { recordTreasuryTransaction } = await editor.recordTreasuryTransaction({
        input: { companyId, kind: 'SOLD', btc: '23.6', usd: '1650000', occurredOn: '2026-02-10', note: 'Test sale', source: ledger },
      });
      expect(recordTreasuryTransaction).toEqual({
        transaction: {
          id: expect.any(String),
          kind: 'SOLD',
          btc: '23.6',
          usd: '1650000',
          // 1,650,000 / 23.6 = 69,915.254237288..., half-up to 8 places.
          averagePriceUsd: '69915.25423729',
          occurredOn: '2026-02-10',
          balanceAfterBtc: '3000',
          note: 'Test sale',
          source: stored(ledger),
        },
        userErrors: [],
      });
      const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-10' });
      expect(company?.treasuryFlow).toEqual({
        from: '2026-02-01',
        to: '2026-02-10',
        openingBtc: '7474.6',
        minedBtc: '0',
        purchasedBtc: '0',
        soldBtc: '4474.6',
        soldUsd: '306650000',
        // 306,650,000 / 4,474.6 = 68,531.265364501...
        averageSalePriceUsd: '68531.2653645',
        otherBtc: '0',
        closingBtc: '3000',
        unexplainedBtc: '0',
      });
      expect([company?.holdings.btc, company?.holdings.valueUsd]).toEqual(['3000', '212181000']);
    });

    it('recordTreasuryTransaction selling more BTC than is held returns INSUFFICIENT_HOLDINGS and records nothing', async () => {
      const before = await snapshot(served.database);
      // One satoshi more than the 3000 held at the end of 2026-02-10: returned, not thrown.
      const oneSatoshiShort: RecordTreasuryTransactionMutation = await editor.recordTreasuryTransaction({
        input: { companyId, kind: 'SOLD', btc: '3000.00000001', usd: '210000000', occurredOn: '2026-02-10', source: ledger },
      });
      expect(oneSatoshiShort.recordTreasuryTransaction).toEqual({
        transaction: null,
        userErrors: [
          {
            field: ['input', 'btc'],
            code: 'INSUFFICIENT_HOLDINGS',
            message: 'This would leave holdings at -0.00000001 BTC at the end of 2026-02-10; holdings can never go below 0.',
          },
        ],
      });
      const code: UserErrorCode | undefined = oneSatoshiShort.recordTreasuryTransaction.userErrors[0]?.code;
      expect(code).toBe('INSUFFICIENT_HOLDINGS');
      // Backdated: 3023.6 - 3010 leaves 13.6 on 2026-02-09, but the next day's sale of 23.6 takes it to -10.
      const backdated = await editor.recordTreasuryTransaction({
        input: { companyId, kind: 'SOLD', btc: '3010', usd: '212000000', occurredOn: '2026-02-09', source: ledger },
      });
      expect(backdated.recordTreasuryTransaction).toEqual({
        transaction: null,
        userErrors: [
          {
            field: ['input', 'btc'],
            code: 'INSUFFICIENT_HOLDINGS',
            message: 'This would leave holdings at -10 BTC at the end of 2026-02-10; holdings can never go below 0.',
          },
        ],
      });
      expect(await snapshot(served.database)).toEqual(before);
    });

    it('recordTreasuryTransaction retried with the same idempotencyKey returns the first transaction and records nothing new', async () => {
      const input = {
        companyId,
        kind: 'PURCHASED' as const,
        btc: '10',
        usd: '690000',
        occurredOn: '2026-02-11',
        idempotencyKey: 'sdk-purchase-2026-02-11',
        source: ledger,
      };
      const first = await editor.recordTreasuryTransaction({ input });
      const purchase = {
        id: expect.any(String),
        kind: 'PURCHASED',
        btc: '10',
        usd: '690000',
        averagePriceUsd: '69000',
        occurredOn: '2026-02-11',
        balanceAfterBtc: '3010',
        note: null,
        source: stored(ledger),
      };
      expect(first.recordTreasuryTransaction).toEqual({ transaction: purchase, userErrors: [] });
      const afterFirst = await snapshot(served.database);

      const retry = await editor.recordTreasuryTransaction({ input });
      expect(retry.recordTreasuryTransaction).toEqual(first.recordTreasuryTransaction);
      expect(retry.recordTreasuryTransaction.transaction?.id).toBe(first.recordTreasuryTransaction.transaction?.id);
      expect(await snapshot(served.database)).toEqual(afterFirst);

      const reused = await editor.recordTreasuryTransaction({ input: { ...input, btc: '11' } });
      expect(reused.recordTreasuryTransaction).toEqual({
        transaction: null,
        userErrors: [
          {
            field: ['input', 'idempotencyKey'],
            code: 'IDEMPOTENCY_KEY_REUSED',
            message: 'This idempotency key was already used with a different input.',
          },
        ],
      });
      expect(await snapshot(served.database)).toEqual(afterFirst);
      const { company } = await client.company({ ticker: 'CANG', from: '2026-02-11', to: '2026-02-11' });
      expect([company?.treasuryFlow.purchasedBtc, company?.holdings.btc]).toEqual(['10', '3010']);
    });

    // The seed reports every month to February 2026 and the quarter to March (CANG.yaml); April is test data.
    it("recordProductionReport records April 2026 and Cango's holdings and treasuryFlow follow from it", async () => {
      const grafaApril = {
        title: 'Cango Bitcoin mining update, April 2026 (test)',
        url: 'https://example.com/cango/2026-04',
        publisher: 'Grafa',
        publishedOn: null,
      };
      const { recordProductionReport } = await editor.recordProductionReport({
        input: {
          companyId,
          periodStart: '2026-04-01',
          periodEnd: '2026-04-30',
          minedBtc: '480.2',
          heldBtc: '1506',
          deployedHashrateEh: '50',
          operatingHashrateEh: '36.5',
          source: grafaApril,
          idempotencyKey: 'sdk-cang-2026-04',
        },
      });
      const report = {
        id: expect.any(String),
        periodStart: '2026-04-01',
        periodEnd: '2026-04-30',
        minedBtc: '480.2',
        soldBtc: null,
        soldUsd: null,
        heldBtc: '1506',
        deployedHashrateEh: '50',
        operatingHashrateEh: '36.5',
        // 480.2 / 30 days = 16.006666666...; then / 36.5 EH/s = 0.438538812...
        btcPerDay: '16.00666667',
        btcPerEhPerDay: '0.43853881',
        source: stored(grafaApril),
      };
      expect(recordProductionReport).toEqual({ report, userErrors: [] });

      const { company } = await client.company({ ticker: 'CANG', from: '2026-04-01', to: '2026-04-30' });
      expect(company?.holdings).toEqual({
        on: '2026-04-30',
        btc: '1506',
        btcPriceUsd: '70727',
        // 1506 × 70,727
        valueUsd: '106514862',
        pledgedBtc: '0',
        // 1506 / 21,000,000 × 100 = 0.0071714285…, half-up at 8 places
        percentOfSupply: 0.00717143,
        anchor: { on: '2026-04-30', btc: '1506', source: stored(grafaApril) },
      });
      expect(company?.treasuryFlow).toEqual({
        from: '2026-04-01',
        to: '2026-04-30',
        // The seed's Q1 2026 release: 1,026 BTC at 2026-03-31.
        openingBtc: '1026',
        minedBtc: '480.2',
        purchasedBtc: '0',
        soldBtc: '0',
        soldUsd: '0',
        averageSalePriceUsd: null,
        otherBtc: '0',
        closingBtc: '1506',
        // 1026 + 480.2 = 1506.2: the report says 0.2 BTC less.
        unexplainedBtc: '-0.2',
      });
      expect(company?.productionReports.totalCount).toBe(7);
      expect(company?.productionReports.edges[0]?.node).toEqual(report);
    });

    it('recordProductionReport with periodEnd before periodStart returns VALIDATION_FAILED and records nothing', async () => {
      const before = await snapshot(served.database);
      const { recordProductionReport } = await editor.recordProductionReport({
        input: { companyId, periodStart: '2026-05-31', periodEnd: '2026-05-01', minedBtc: '450', source: ledger },
      });
      expect(recordProductionReport).toEqual({
        report: null,
        userErrors: [
          {
            field: ['input', 'periodEnd'],
            code: 'VALIDATION_FAILED',
            message: 'periodEnd (2026-05-01) is before periodStart (2026-05-31).',
          },
        ],
      });
      expect(await snapshot(served.database)).toEqual(before);
    });

    let newLoanId: string;
    const loanTerms = {
      lender: 'Test Lender',
      principalUsd: '20000000',
      originatedOn: '2026-02-15',
      maturesOn: '2027-02-15',
      interestRatePercent: 9.5,
      marginCallLtv: 0.7,
      liquidationLtv: 0.85,
      source: ledger,
    };

    it('createLoan with a principal and collateral returns ltv and marginCallPriceUsd', async () => {
      const { createLoan } = await editor.createLoan({
        input: { companyId, ...loanTerms, collateralBtc: '500' },
      });
      expect(createLoan).toEqual({
        loan: {
          id: expect.any(String),
          ...loanTerms,
          source: stored(ledger),
          status: 'ACTIVE',
          repaidUsd: '0',
          outstandingUsd: '20000000',
          collateralBtc: '500',
          // 20,000,000 / (500 × 70,727) = 0.565554880…, half-up at 8 places
          ltv: 0.56555488,
          // 20,000,000 / (500 × 0.7) and / (500 × 0.85), half-up to 8 places.
          marginCallPriceUsd: '57142.85714286',
          liquidationPriceUsd: '47058.82352941',
          repayments: [],
        },
        userErrors: [],
      });
      newLoanId = createLoan.loan!.id;
      const { company } = await client.company({ ticker: 'CANG', from: '2026-02-01', to: '2026-02-28' });
      // Loans are listed by originatedOn, undated last.
      expect(company?.loans.map(({ id }) => id)).toEqual([newLoanId, loanId]);
      expect(company?.holdings.pledgedBtc).toBe('500');
    });

    it('repayLoan with fundedBySale records the sale and the repayment together', async () => {
      const before = await snapshot(served.database);
      // 5000 BTC is more than the 3313.4 Cango holds: neither the sale nor the repayment is written.
      const tooMuch = await editor.repayLoan({
        input: { loanId: newLoanId, amountUsd: '1000', paidOn: '2026-03-02', fundedBySale: { btc: '5000', usd: '1000' }, source: ledger },
      });
      expect(tooMuch.repayLoan).toEqual({
        loan: null,
        repayment: null,
        userErrors: [
          {
            field: ['input', 'fundedBySale', 'btc'],
            code: 'INSUFFICIENT_HOLDINGS',
            message: 'This would leave holdings at -1686.6 BTC at the end of 2026-03-02; holdings can never go below 0.',
          },
        ],
      });
      expect(await snapshot(served.database)).toEqual(before);

      // The sale brought in more than was repaid: its average price is its own usd / btc.
      const { repayLoan } = await editor.repayLoan({
        input: {
          loanId: newLoanId,
          amountUsd: '4800000',
          paidOn: '2026-03-02',
          collateralReleasedBtc: '100',
          fundedBySale: { btc: '71.5', usd: '5000000' },
          source: ledger,
        },
      });
      expect(repayLoan.userErrors).toEqual([]);
      // 5,000,000 / 71.5 = 69,930.069930069..., half-up to 8 places (not 4,800,000 / 71.5).
      expect(repayLoan.repayment?.fundedBy?.averagePriceUsd).toBe('69930.06993007');
      const repayment = {
        id: expect.any(String),
        amountUsd: '4800000',
        paidOn: '2026-03-02',
        collateralReleasedBtc: '100',
        fundedBy: { id: expect.any(String), btc: '71.5', usd: '5000000', averagePriceUsd: '69930.06993007', occurredOn: '2026-03-02' },
        source: stored(ledger),
      };
      expect(repayLoan).toEqual({
        loan: {
          id: newLoanId,
          ...loanTerms,
          source: stored(ledger),
          status: 'ACTIVE',
          repaidUsd: '4800000',
          outstandingUsd: '15200000',
          collateralBtc: '400',
          // 15,200,000 / (400 × 70,727) = 0.537277136…, half-up at 8 places
          ltv: 0.53727714,
          marginCallPriceUsd: '54285.71428571',
          liquidationPriceUsd: '44705.88235294',
          repayments: [repayment],
        },
        repayment,
        userErrors: [],
      });

      const { company } = await client.company({ ticker: 'CANG', from: '2026-03-01', to: '2026-03-02' });
      expect(company?.treasuryFlow).toEqual({
        from: '2026-03-01',
        to: '2026-03-02',
        openingBtc: '3313.4',
        minedBtc: '0',
        purchasedBtc: '0',
        soldBtc: '71.5',
        soldUsd: '5000000',
        averageSalePriceUsd: '69930.06993007',
        otherBtc: '0',
        closingBtc: '3241.9',
        unexplainedBtc: '0',
      });
      expect([company?.holdings.btc, company?.holdings.pledgedBtc]).toEqual(['3241.9', '400']);
      const { node } = await client.node({ id: repayLoan.repayment!.fundedBy!.id });
      expect(node).toEqual({
        __typename: 'TreasuryTransaction',
        id: repayLoan.repayment!.fundedBy!.id,
        transactionKind: 'SOLD',
        btc: '71.5',
        occurredOn: '2026-03-02',
      });
    });

    it('createAsset adds an asset that assets() then lists', async () => {
      const { createAsset } = await editor.createAsset({ input: { symbol: ' hut ', name: 'Hut 8 Corp. common shares', kind: 'EQUITY' } });
      expect(createAsset).toEqual({
        asset: { id: expect.any(String), symbol: 'HUT', name: 'Hut 8 Corp. common shares', kind: 'EQUITY', quoteCurrency: 'USD' },
        userErrors: [],
      });
      const { assets } = await client.assets({ kind: 'EQUITY' });
      expect(assets).toEqual([
        expect.objectContaining({ symbol: 'CANG' }),
        { ...createAsset.asset, latestPrice: null, allTimeHigh: null, drawdownFromAllTimeHigh: null },
      ]);
      expect((await client.assets()).assets.map(({ symbol }) => symbol)).toEqual(['BTC', 'CANG', 'HUT']);
      // The company HUT created above now has its listed shares.
      const { company } = await client.company({ ticker: 'HUT', from: '2026-02-01', to: '2026-02-28' });
      expect(company?.stock).toEqual({ ...createAsset.asset, latestPrice: null });

      const again = await editor.createAsset({ input: { symbol: 'btc', name: 'Bitcoin again', kind: 'CRYPTO' } });
      expect(again.createAsset).toEqual({
        asset: null,
        userErrors: [{ field: ['input', 'symbol'], code: 'ALREADY_EXISTS', message: 'An asset with symbol BTC exists already.' }],
      });
    });

    const hutWire = { title: 'HUT closing prices (test data)', url: null, publisher: 'Example Quotes', publishedOn: null };
    const hutCorrection = { title: 'HUT corrected close (test data)', url: null, publisher: 'Example Quotes', publishedOn: null };

    it('recordPrices inserts new observations and replaces ones at the same instant, counting each', async () => {
      const first = await editor.recordPrices({
        input: {
          symbol: 'hut',
          source: hutWire,
          points: [
            { at: '2026-02-09T21:00:00.000Z', open: '16.5', high: '17.2', low: '15.9', close: '16', volume: '4200000' },
            { at: '2026-02-10T21:00:00.000Z', close: '18.4' },
          ],
        },
      });
      expect(first.recordPrices).toEqual({ inserted: 2, updated: 0, userErrors: [] });
      const second = await editor.recordPrices({
        input: {
          symbol: 'HUT',
          source: hutCorrection,
          points: [
            { at: '2026-02-10T21:00:00.000Z', open: '16.1', high: '18.9', low: '16.05', close: '18.75', volume: '3900000' },
            { at: '2026-02-11T21:00:00.000Z', close: '20' },
          ],
        },
      });
      expect(second.recordPrices).toEqual({ inserted: 1, updated: 1, userErrors: [] });

      const { asset } = await client.asset({
        symbol: 'HUT',
        from: '2026-02-09T21:00:00.000Z',
        to: '2026-02-12T00:00:00.000Z',
        at: '2026-02-10T23:00:00.000Z',
      });
      expect(asset).toEqual({
        id: expect.any(String),
        symbol: 'HUT',
        name: 'Hut 8 Corp. common shares',
        kind: 'EQUITY',
        quoteCurrency: 'USD',
        latestPrice: { at: '2026-02-11T21:00:00.000Z', priceUsd: '20', source: stored(hutCorrection) },
        allTimeHigh: { at: '2026-02-11T21:00:00.000Z', priceUsd: '20', source: stored(hutCorrection) },
        drawdownFromAllTimeHigh: 0,
        // The replaced observation, with the source it was replaced from.
        priceAt: { at: '2026-02-10T21:00:00.000Z', priceUsd: '18.75', source: stored(hutCorrection) },
        change: {
          from: { at: '2026-02-09T21:00:00.000Z', priceUsd: '16', source: stored(hutWire) },
          to: { at: '2026-02-11T21:00:00.000Z', priceUsd: '20', source: stored(hutCorrection) },
          changeUsd: '4',
          changePercent: 25,
          high: '20',
          low: '15.9',
        },
        // Buckets that start in [from, to): the one of 2026-02-09 starts before 21:00.
        candles: [
          { start: '2026-02-10T00:00:00.000Z', open: '16.1', high: '18.9', low: '16.05', close: '18.75', volume: '3900000' },
          { start: '2026-02-11T00:00:00.000Z', open: '20', high: '20', low: '20', close: '20', volume: null },
        ],
        corporateActions: [],
      });
    });

    it('recordPrices with a high below the low returns VALIDATION_FAILED at ["input", "points", "1", "high"]', async () => {
      const before = await snapshot(served.database);
      const { recordPrices } = await editor.recordPrices({
        input: {
          symbol: 'HUT',
          points: [
            { at: '2026-02-12T21:00:00.000Z', close: '19.5' },
            { at: '2026-02-13T21:00:00.000Z', open: '19.6', high: '19.2', low: '19.4', close: '19.3' },
          ],
        },
      });
      // All or nothing: the good first point is not written either.
      expect(recordPrices).toEqual({
        inserted: 0,
        updated: 0,
        userErrors: [{ field: ['input', 'points', '1', 'high'], code: 'VALIDATION_FAILED', message: 'high (19.2) is below low (19.4).' }],
      });
      expect(await snapshot(served.database)).toEqual(before);
    });

    it.each(writes)('%s with a read-only API key is refused with FORBIDDEN and writes nothing', async (name, write) => {
      const before = await snapshot(served.database);
      const error = await failure(write(reader));
      const operationName = name[0]!.toUpperCase() + name.slice(1);
      expect(error).toMatchObject({
        kind: 'graphql',
        status: 200,
        codes: ['FORBIDDEN'],
        operationName,
        // The server answers data: null; the error keeps data only when some came back.
        data: undefined,
        errors: [
          { path: [name], message: 'The "reader" role may not do this; it needs an editor key.', extensions: { code: 'FORBIDDEN' } },
        ],
      });
      expect(error.message).not.toContain('This client has no apiKey');
      expect(await snapshot(served.database)).toEqual(before);
    });
  });
});

describe('client.recordCorporateAction, and prices adjusted for ratio changes', () => {
  // CANG's seed holds its conversion (1 ADS -> 2 Class A shares from 2025-11-17) and, in this
  // window, one share price: 0.97 on 2026-02-06 (data/prices/CANG.yaml). The ADS-era closes
  // recorded here, and the reverse split, are test data.
  const adsClosesInput = { title: 'CANG ADS closes (test data)', url: null, publisher: 'Example Quotes', publishedOn: null };
  const adsCloses = stored(adsClosesInput);
  const conversion = {
    effectiveOn: '2025-11-17',
    ratio: '2',
    description:
      'Cango terminated its ADR program; each ADS was cancelled for two Class A ordinary shares, which began trading directly on the NYSE under CANG on 17 November 2025.',
    source: cite(
      {
        title: 'Cango Inc. Class A Ordinary Shares Begin Trading on NYSE',
        url: 'https://www.stocktitan.net/news/CANG/cango-inc-class-a-ordinary-shares-begin-trading-on-ruxffyp5xq6h.html',
        publisher: "Stock Titan (page titled with Cango's PR Newswire release; summary is Rhea-AI)",
        publishedOn: '2025-11-17',
        kind: 'AGGREGATOR',
      },
      'Holders of American depositary shares received two Class A ordinary shares per ADS (similar to a 2-for-1 split).',
      '2025-11-17',
    ),
  };
  const variables = { symbol: 'cang', from: '2025-11-14T00:00:00.000Z', to: '2026-02-10T00:00:00.000Z', at: '2025-11-15T00:00:00.000Z' };
  const latest = cangLatest;
  const latestCandle = { start: '2026-02-06T00:00:00.000Z', open: '0.97', high: '0.97', low: '0.97', close: '0.97', volume: null };
  let editor: MinerGraphClient;

  beforeAll(async () => {
    editor = createClient({ url: served.server.url, apiKey: (await keyHeaders(served.database, 'editor', 'sdk-corporate-actions')).key });
    const { recordPrices } = await editor.recordPrices({
      input: {
        symbol: 'CANG',
        source: adsClosesInput,
        points: [
          { at: '2025-11-13T21:00:00.000Z', close: '4.2', volume: '1500' },
          { at: '2025-11-14T21:00:00.000Z', open: '3.9', high: '4', low: '3.7', close: '3.8', volume: '1000' },
          { at: '2025-11-17T21:00:00.000Z', open: '1.9', high: '1.95', low: '1.85', close: '1.88', volume: '2000' },
        ],
      },
    });
    expect(recordPrices).toEqual({ inserted: 3, updated: 0, userErrors: [] });
  });

  it('lists the ADS conversion with its source, and by default halves the prices from before it', async () => {
    const { asset } = await client.asset(variables);
    expect(asset).toEqual({
      id: expect.any(String),
      symbol: 'CANG',
      name: 'Cango Inc. shares',
      kind: 'EQUITY',
      quoteCurrency: 'USD',
      corporateActions: [conversion],
      latestPrice: latest,
      // 4.2 per ADS is 2.1 per share.
      allTimeHigh: { at: '2025-11-13T21:00:00.000Z', priceUsd: '2.1', source: adsCloses },
      // 1 - 0.97 / 2.1 = 113/210, half-up at 8 places
      drawdownFromAllTimeHigh: 0.53809524,
      priceAt: { at: '2025-11-14T21:00:00.000Z', priceUsd: '1.9', source: adsCloses },
      change: {
        from: { at: '2025-11-13T21:00:00.000Z', priceUsd: '2.1', source: adsCloses },
        to: latest,
        changeUsd: '-1.13',
        // -1.13 / 2.1 × 100 = -1130/21, half-up at 8 places
        changePercent: -53.80952381,
        high: '2.1',
        low: '0.97',
      },
      // Volumes count shares: 1000 ADS were 2000 shares.
      candles: [
        { start: '2025-11-14T00:00:00.000Z', open: '1.95', high: '2', low: '1.85', close: '1.9', volume: '2000' },
        { start: '2025-11-17T00:00:00.000Z', open: '1.9', high: '1.95', low: '1.85', close: '1.88', volume: '2000' },
        latestCandle,
      ],
    });
  });

  it('gives the prices as observed with adjusted: false, and keeps the drawdown adjusted', async () => {
    const { asset } = await client.asset({ ...variables, adjusted: false });
    expect(asset).toMatchObject({
      corporateActions: [conversion],
      latestPrice: latest,
      allTimeHigh: { at: '2025-11-13T21:00:00.000Z', priceUsd: '4.2', source: adsCloses },
      drawdownFromAllTimeHigh: 0.53809524,
      priceAt: { at: '2025-11-14T21:00:00.000Z', priceUsd: '3.8', source: adsCloses },
      change: {
        from: { at: '2025-11-13T21:00:00.000Z', priceUsd: '4.2', source: adsCloses },
        to: latest,
        changeUsd: '-3.23',
        // -3.23 / 4.2 × 100 = -1615/21, half-up at 8 places
        changePercent: -76.9047619,
        high: '4.2',
        low: '0.97',
      },
      candles: [
        { start: '2025-11-14T00:00:00.000Z', open: '3.9', high: '4', low: '3.7', close: '3.8', volume: '1000' },
        { start: '2025-11-17T00:00:00.000Z', open: '1.9', high: '1.95', low: '1.85', close: '1.88', volume: '2000' },
        latestCandle,
      ],
    });
  });

  it('records a ratio change that the adjusted prices follow at once', async () => {
    const testOnly = {
      title: 'Test-only reverse split',
      url: 'https://example.com/cang/reverse-split',
      publisher: 'Example Wire',
      publishedOn: '2026-01-02',
    };
    const { recordCorporateAction } = await editor.recordCorporateAction({
      input: {
        symbol: ' cang ',
        effectiveOn: '2026-01-05',
        ratio: '0.5',
        description: ' 1-for-2 reverse split (test data) ',
        source: testOnly,
      },
    });
    const reverseSplit = {
      effectiveOn: '2026-01-05',
      ratio: '0.5',
      description: '1-for-2 reverse split (test data)',
      source: stored(testOnly),
    };
    expect(recordCorporateAction).toEqual({ corporateAction: reverseSplit, userErrors: [] });

    const { asset } = await client.asset(variables);
    // One ADS became 2 shares, then 2 shares became 1: ADS-era prices are as observed again,
    // and the prices between the two changes double.
    expect(asset).toMatchObject({
      corporateActions: [conversion, reverseSplit],
      latestPrice: latest,
      allTimeHigh: { at: '2025-11-13T21:00:00.000Z', priceUsd: '4.2', source: adsCloses },
      // 1 - 0.97 / 4.2 = 323/420, half-up at 8 places
      drawdownFromAllTimeHigh: 0.76904762,
      priceAt: { at: '2025-11-14T21:00:00.000Z', priceUsd: '3.8', source: adsCloses },
      candles: [
        { start: '2025-11-14T00:00:00.000Z', open: '3.9', high: '4', low: '3.7', close: '3.8', volume: '1000' },
        { start: '2025-11-17T00:00:00.000Z', open: '3.8', high: '3.9', low: '3.7', close: '3.76', volume: '1000' },
        latestCandle,
      ],
    });
  });

  it('returns userErrors for a day that has one, a crypto asset, a ratio of 1 and an unknown symbol, and records nothing', async () => {
    const before = await snapshot(served.database);
    const attempts = [
      { symbol: 'CANG', effectiveOn: '2025-11-17', ratio: '2', description: 'The conversion again' },
      { symbol: 'BTC', effectiveOn: '2026-01-05', ratio: '2', description: 'BTC does not split' },
      { symbol: 'CANG', effectiveOn: '2026-01-06', ratio: '1', description: 'Nothing changes' },
      { symbol: 'NOPE', effectiveOn: '2026-01-05', ratio: '2', description: 'Nobody has it' },
    ];
    const results = [];
    for (const input of attempts) results.push((await editor.recordCorporateAction({ input })).recordCorporateAction);
    expect(results).toEqual([
      {
        corporateAction: null,
        userErrors: [
          { field: ['input', 'effectiveOn'], code: 'ALREADY_EXISTS', message: 'CANG already has a ratio change on 2025-11-17.' },
        ],
      },
      {
        corporateAction: null,
        userErrors: [
          { field: ['input', 'symbol'], code: 'VALIDATION_FAILED', message: 'BTC is not an equity; only listed units change ratio.' },
        ],
      },
      {
        corporateAction: null,
        userErrors: [{ field: ['input', 'ratio'], code: 'VALIDATION_FAILED', message: 'ratio 1 changes nothing.' }],
      },
      { corporateAction: null, userErrors: [{ field: ['input', 'symbol'], code: 'NOT_FOUND', message: 'No asset has the symbol NOPE.' }] },
    ]);
    expect(await snapshot(served.database)).toEqual(before);
  });
});

describe('failures that never reach a GraphQL answer', () => {
  it('a missing or malformed url fails in createClient, saying what to pass', () => {
    const usage = 'createClient({ url: "http://127.0.0.1:4000/graphql" })';
    for (const url of [undefined, '', 'localhost:4000/graphql', '127.0.0.1:4000', 'ftp://127.0.0.1/graphql']) {
      expect(() => createClient({ url } as { url: string })).toThrow(
        expect.objectContaining({ kind: 'config', message: expect.stringContaining(usage) }),
      );
    }
  });

  it('a server that is down is a network error naming the url', async () => {
    const down = await listen(() => {});
    await down.close();
    const error = await failure(createClient({ url: down.url }).assets());
    expect(error).toMatchObject({ kind: 'network', status: undefined, codes: [], operationName: 'Assets' });
    expect(error.message).toContain(down.url);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('a server that never answers is a timeout after timeoutMs', async () => {
    const silent = await listen(() => {});
    try {
      const started = Date.now();
      const error = await failure(createClient({ url: silent.url, timeoutMs: 50 }).assets());
      expect(error).toMatchObject({ kind: 'timeout', operationName: 'Assets' });
      expect(error.message).toContain('within 50 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });

  it("aborting the caller's signal rejects with the signal's reason, not a timeout", async () => {
    const silent = await listen(() => {});
    try {
      const controller = new AbortController();
      const pending = createClient({ url: silent.url, timeoutMs: 5_000 }).assets(undefined, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await silent.close();
    }
  });

  it('a 404 page is an http error with its status', async () => {
    const error = await failure(createClient({ url: served.server.url.replace(/\/graphql$/, '/nothing-here') }).assets());
    expect(error).toMatchObject({ kind: 'http', status: 404, codes: [], errors: undefined, operationName: 'Assets' });
    expect(error.message).toContain('HTTP 404');
  });

  it("a proxy's 502 is an http error with its status", async () => {
    const proxy = await listen((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad gateway</body></html>');
    });
    try {
      const error = await failure(createClient({ url: proxy.url }).assets());
      expect(error).toMatchObject({ kind: 'http', status: 502, codes: [], operationName: 'Assets' });
      expect(error.message).toContain('HTTP 502 Bad Gateway with text/html, not a GraphQL response');
    } finally {
      await proxy.close();
    }
  });
});

describe('what goes over the wire', () => {
  it('a JSON POST with the preflight header, the key as a bearer token, and the operation by name', async () => {
    const seen: { method?: string; headers?: http.IncomingHttpHeaders; body?: unknown }[] = [];
    const recorder = await listen((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method, headers: request.headers, body: JSON.parse(body) });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"assets":[]}}');
      });
    });
    try {
      const recorded = createClient({ url: recorder.url, apiKey: 'mg_editor_key', headers: { 'X-Request-Id': 'analyst-42' } });
      expect(await recorded.assets({ kind: 'CRYPTO' })).toEqual({ assets: [] });
      expect(seen).toEqual([
        {
          method: 'POST',
          headers: expect.objectContaining({
            'content-type': 'application/json',
            'apollo-require-preflight': 'true',
            authorization: 'Bearer mg_editor_key',
            'x-request-id': 'analyst-42',
          }),
          body: {
            query: expect.stringContaining('query Assets($kind: AssetKind)'),
            variables: { kind: 'CRYPTO' },
            operationName: 'Assets',
          },
        },
      ]);
    } finally {
      await recorder.close();
    }
  });
});
