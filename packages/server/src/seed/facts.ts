/**
 * The sourced facts MinerGraph starts with (docs/domain.md, "Seed data"). Nothing
 * here is estimated: a figure no source gives is left out, or null where the schema allows.
 */

export const SOURCES = {
  article: {
    title: "News article on Cango's BTC sale and AI pivot",
    url: null,
    publisher: null,
    publishedOn: null,
  },
  theMinerMag: {
    title: 'Cango sells 4,451 BTC',
    url: 'https://theminermag.com/news/2026-02-09/cango-sell-bitcoin-4451-btc',
    publisher: 'TheMinerMag',
    publishedOn: '2026-02-09',
  },
  grafa: {
    title: 'Cango Bitcoin mining update, January 2026',
    url: 'https://grafa.com/pt-BR/news/united-states/cango-bitcoin-mining-update-jan-2026',
    publisher: 'Grafa',
    publishedOn: null,
  },
  ainvest: {
    title: 'Cango announces December 2025 bitcoin production',
    url: 'https://www.ainvest.com/news/cango-announces-december-2025-bitcoin-production-mining-operations-update-2601-33',
    publisher: 'AInvest',
    publishedOn: null,
  },
  coinAlertNews: {
    title: 'Cango bitcoin sale and AI infrastructure funding',
    url: 'https://coinalertnews.com/news/2026/02/12/cango-bitcoin-sale-ai-infrastructure-funding',
    publisher: 'Coin Alert News',
    publishedOn: '2026-02-12',
  },
  blocmates: {
    title: 'Bitcoin hits new ATH of $126,080',
    url: 'https://www.blocmates.com/news-posts/bull-run-back-on-bitcoin-hits-new-ath-of-126-080-over-365m-in-liquidations-recorded',
    publisher: 'Blocmates',
    publishedOn: null,
  },
  stockTitan: {
    title: 'Cango Inc. Class A ordinary shares begin trading on NYSE',
    url: 'https://www.stocktitan.net/news/CANG/cango-inc-class-a-ordinary-shares-begin-trading-on-ruxffyp5xq6h.html',
    publisher: 'StockTitan',
    publishedOn: null,
  },
} as const;

export type SourceKey = keyof typeof SOURCES;

export const CANGO = {
  name: 'Cango Inc.',
  ticker: 'CANG',
  exchange: 'NYSE',
  businessLines: ['BITCOIN_MINING', 'AI_COMPUTE'],
  // "over 40 sites distributed across four distinct geographical regions"
  reportedSiteCount: 40,
  reportedRegions: ['North America', 'Middle East', 'South America', 'East Africa'],
  source: 'article',
  officers: [
    { name: 'Paul Yu', role: 'CEO', since: null, previousEmployer: null, source: 'article' },
    // Appointed CTO for the AI business in February 2026; the day is not given, so the month's first.
    { name: 'Jack Jin', role: 'CTO', since: '2026-02-01', previousEmployer: 'Zoom', source: 'theMinerMag' },
  ],
  productionReports: [
    {
      periodStart: '2025-12-01',
      periodEnd: '2025-12-31',
      minedBtc: '569',
      soldBtc: null,
      soldUsd: null,
      heldBtc: '7528.3',
      deployedHashrateEh: null,
      operatingHashrateEh: '43.36',
      source: 'ainvest',
    },
    {
      periodStart: '2026-01-01',
      periodEnd: '2026-01-31',
      minedBtc: '496.35',
      soldBtc: '550.03',
      soldUsd: '39000000',
      heldBtc: '7474.6',
      deployedHashrateEh: '50',
      operatingHashrateEh: '37.02',
      source: 'grafa',
    },
  ],
  loan: {
    lender: null,
    principalUsd: null,
    collateralBtc: null,
    source: 'article',
    repayment: {
      amountUsd: '305000000',
      paidOn: '2026-02-08',
      sale: {
        btc: '4451',
        usd: '305000000',
        note: 'Sold over the weekend of 7-8 February 2026, settled in USDT, to repay part of a Bitcoin-backed loan.',
      },
      source: 'theMinerMag',
    },
  },
} as const;

export const ASSETS = [
  {
    symbol: 'BTC',
    name: 'Bitcoin',
    kind: 'CRYPTO',
    prices: [
      // The all-time high as published: one quote, stored as open = high = low = close.
      { at: '2025-10-06T00:00:00.000Z', price: '126080', source: 'blocmates' },
      { at: '2026-02-09T00:00:00.000Z', price: '70727', source: 'article' },
    ],
    corporateActions: [],
  },
  {
    symbol: 'CANG',
    name: 'Cango Inc. Class A ordinary shares',
    kind: 'EQUITY',
    prices: [{ at: '2026-02-09T00:00:00.000Z', price: '0.95', source: 'article' }],
    corporateActions: [
      {
        effectiveOn: '2025-11-17',
        ratio: '2',
        description: 'Each ADS became 2 Class A ordinary shares when Cango listed them directly on the NYSE.',
        source: 'stockTitan',
      },
    ],
  },
] as const;
