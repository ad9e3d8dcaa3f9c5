import type { Kysely } from 'kysely';
import type { DataSources } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import * as assets from './asset.repository.js';
import * as companies from './company.repository.js';
import * as loans from './loan.repository.js';
import * as production from './production.repository.js';
import * as sites from './site.repository.js';
import * as sources from './source.repository.js';
import * as treasury from './treasury.repository.js';
import { createWrites } from '../writes/index.js';

/** The schema's data-access contract, over SQL. */
export function createDataSources(db: Kysely<Database>): DataSources {
  return {
    writes: createWrites(db),
    sources: { byIds: (ids) => sources.sourcesByIds(db, ids) },
    companies: {
      byIds: (ids) => companies.companiesByIds(db, ids),
      byTickers: (tickers) => companies.companiesByTickers(db, tickers),
      page: (request) => companies.companyPage(db, request),
      latestHoldingsReports: (ids) => treasury.latestHoldingsReports(db, ids),
      holdingsReports: (ids) => treasury.holdingsReportsByCompanyIds(db, ids),
      count: (filter) => companies.countCompanies(db, filter),
    },
    officers: { byCompanyIds: (ids) => companies.officersByCompanyIds(db, ids) },
    sites: {
      byIds: (ids) => sites.sitesByIds(db, ids),
      pages: (ids, request) => sites.sitePages(db, ids, request),
      counts: (ids, filter) => sites.siteCounts(db, ids, filter),
      regionSummaries: (ids) => sites.regionSummaries(db, ids),
    },
    treasury: {
      holdings: (keys) => treasury.holdingsOn(db, keys),
      flowTotals: (keys) => treasury.flowTotals(db, keys),
      transactionsByIds: (ids) => treasury.transactionsByIds(db, ids),
      transactionPages: (ids, request) => treasury.transactionPages(db, ids, request),
      transactionCounts: (ids, filter) => treasury.transactionCounts(db, ids, filter),
    },
    production: {
      byIds: (ids) => production.productionReportsByIds(db, ids),
      pages: (ids, request) => production.productionReportPages(db, ids, request),
      counts: (ids, filter) => production.productionReportCounts(db, ids, filter),
      citations: (ids) => production.fieldCitations(db, 'production_report_id', ids),
    },
    loans: {
      byIds: (ids) => loans.loansByIds(db, ids),
      byCompanyIds: (ids) => loans.loansByCompanyIds(db, ids),
      repaymentsByLoanIds: (ids) => loans.repaymentsByLoanIds(db, ids),
      pledgedBtc: (keys) => loans.pledgedBtc(db, keys),
      citations: (ids) => production.fieldCitations(db, 'loan_id', ids),
    },
    assets: {
      byIds: (ids) => assets.assetsByIds(db, ids),
      bySymbols: (symbols) => assets.assetsBySymbols(db, symbols),
      list: (kind) => assets.listAssets(db, kind),
      latestPrices: (ids) => assets.latestPrices(db, ids),
      pricesAt: (keys) => assets.pricesAt(db, keys),
      allTimeHighs: (ids) => assets.allTimeHighs(db, ids),
      allTimeHigh: (assetId, adjustments) => assets.adjustedAllTimeHigh(db, assetId, adjustments),
      corporateActions: (ids) => assets.corporateActionsByAssetIds(db, ids),
      candles: (assetId, from, to, interval, adjustments) => assets.candles(db, assetId, from, to, interval, adjustments),
      change: (assetId, from, to, adjustments) => assets.priceChange(db, assetId, from, to, adjustments),
    },
  };
}
