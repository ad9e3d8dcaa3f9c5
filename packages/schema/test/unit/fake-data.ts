import { adjustPoint } from '../../src/adjustments.js';
import { canonical, Decimal, sum } from '../../src/decimal.js';
import type {
  AssetModel,
  CompanyModel,
  CorporateActionModel,
  DataSources,
  LoanModel,
  PricePointModel,
  SourceModel,
  TreasuryTransactionModel,
  Writes,
} from '../../src/index.js';

/** What the fake stores: a few rows of the tables the schema reads. */
export interface FakeWorld {
  sources: SourceModel[];
  companies: CompanyModel[];
  transactions: TreasuryTransactionModel[];
  loans: LoanModel[];
  assets: AssetModel[];
  /** Observations, as close prices. */
  prices: PricePointModel[];
  corporateActions: CorporateActionModel[];
}

/**
 * An in-memory DataSources, typed against the real interface so that a change to it breaks
 * this file. It answers the reads these tests make, by the same batch contract as the SQL
 * one (one answer per key, in key order), and logs each call so tests can see the batching.
 * Whatever the tests do not reach throws, so a query that strays into it fails loudly.
 */
export function fakeDataSources(world: FakeWorld): { data: DataSources; calls: string[] } {
  const calls: string[] = [];
  const log = (name: string, keys: readonly unknown[]) => calls.push(`${name}(${keys.length})`);
  const unused = (name: string) => () => Promise.reject(new Error(`The fake data layer has no ${name}; a test reached it.`));
  const byId = <T extends { id: string }>(rows: readonly T[], ids: readonly string[]) =>
    ids.map((id) => rows.find((row) => row.id === id) ?? null);
  const pricesOf = (assetId: string) =>
    world.prices.filter((point) => point.assetId === assetId).sort((a, b) => a.at.getTime() - b.at.getTime());
  const lastAtOrBefore = (assetId: string, at: Date) => pricesOf(assetId).findLast((point) => point.at <= at) ?? null;

  const writes: Writes = {
    async createCompany(input) {
      calls.push(`writes.createCompany(${input.ticker})`);
      const company: CompanyModel = {
        id: String(100 + world.companies.length),
        name: input.name,
        ticker: input.ticker,
        exchange: input.exchange ?? null,
        businessLines: input.businessLines ?? [],
        reportedSiteCount: null,
        reportedRegions: [],
        sourceId: null,
      };
      world.companies.push(company);
      return { ok: true, value: company };
    },
    createSite: unused('writes.createSite'),
    recordTreasuryTransaction: unused('writes.recordTreasuryTransaction'),
    recordProductionReport: unused('writes.recordProductionReport'),
    createLoan: unused('writes.createLoan'),
    repayLoan: unused('writes.repayLoan'),
    createAsset: unused('writes.createAsset'),
    recordPrices: unused('writes.recordPrices'),
    recordCorporateAction: unused('writes.recordCorporateAction'),
  };

  const data: DataSources = {
    writes,
    sources: {
      async byIds(ids) {
        log('sources.byIds', ids);
        return byId(world.sources, ids);
      },
    },
    companies: {
      async byIds(ids) {
        log('companies.byIds', ids);
        return byId(world.companies, ids);
      },
      async byTickers(tickers) {
        log('companies.byTickers', tickers);
        return tickers.map((ticker) => world.companies.find((company) => company.ticker === ticker) ?? null);
      },
      page: unused('companies.page'),
      count: unused('companies.count'),
    },
    officers: { byCompanyIds: unused('officers.byCompanyIds') },
    sites: {
      byIds: unused('sites.byIds'),
      pages: unused('sites.pages'),
      counts: unused('sites.counts'),
      regionSummaries: unused('sites.regionSummaries'),
    },
    treasury: {
      // Without holdings reports, holdings are the sum of the flows up to the day; a sale counts negative.
      async holdings(keys) {
        log('treasury.holdings', keys);
        return keys.map(({ companyId, on }) => {
          const flows = world.transactions.filter((flow) => flow.companyId === companyId && flow.occurredOn <= on);
          const btc = sum(flows.map((flow) => (flow.kind === 'SOLD' ? new Decimal(flow.btc).neg() : flow.btc)));
          return { companyId, on, btc: canonical(btc), anchor: null };
        });
      },
      flowTotals: unused('treasury.flowTotals'),
      transactionsByIds: unused('treasury.transactionsByIds'),
      transactionPages: unused('treasury.transactionPages'),
      transactionCounts: unused('treasury.transactionCounts'),
    },
    production: { byIds: unused('production.byIds'), pages: unused('production.pages'), counts: unused('production.counts') },
    loans: {
      async byIds(ids) {
        log('loans.byIds', ids);
        return byId(world.loans, ids);
      },
      async byCompanyIds(companyIds) {
        log('loans.byCompanyIds', companyIds);
        return companyIds.map((companyId) => world.loans.filter((loan) => loan.companyId === companyId));
      },
      repaymentsByLoanIds: unused('loans.repaymentsByLoanIds'),
      pledgedBtc: unused('loans.pledgedBtc'),
    },
    assets: {
      byIds: unused('assets.byIds'),
      async bySymbols(symbols) {
        log('assets.bySymbols', symbols);
        return symbols.map((symbol) => world.assets.find((asset) => asset.symbol === symbol) ?? null);
      },
      list: unused('assets.list'),
      async latestPrices(assetIds) {
        log('assets.latestPrices', assetIds);
        return assetIds.map((assetId) => pricesOf(assetId).at(-1) ?? null);
      },
      async pricesAt(keys) {
        log('assets.pricesAt', keys);
        return keys.map(({ assetId, at }) => lastAtOrBefore(assetId, at));
      },
      async corporateActions(assetIds) {
        log('assets.corporateActions', assetIds);
        return assetIds.map((assetId) => world.corporateActions.filter((action) => action.assetId === assetId));
      },
      allTimeHighs: unused('assets.allTimeHighs'),
      allTimeHigh: unused('assets.allTimeHigh'),
      candles: unused('assets.candles'),
      // From the last observation at or before `from` to the last at or before `to`, each
      // adjusted by the schema's own rule; high and low over the closes between them.
      async change(assetId, from, to, adjustments) {
        calls.push(`assets.change(${adjustments.length})`);
        const start = lastAtOrBefore(assetId, from);
        const end = to ? lastAtOrBefore(assetId, to) : (pricesOf(assetId).at(-1) ?? null);
        if (!start || !end) return null;
        const between = pricesOf(assetId)
          .filter((point) => point.at >= start.at && point.at <= end.at)
          .map((point) => adjustPoint(point, adjustments)!.priceUsd);
        return {
          from: adjustPoint(start, adjustments)!,
          to: adjustPoint(end, adjustments)!,
          high: canonical(Decimal.max(...between)),
          low: canonical(Decimal.min(...between)),
        };
      },
    },
  };
  return { data, calls };
}
