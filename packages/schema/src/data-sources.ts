import type {
  AssetKind,
  AssetModel,
  CandleInterval,
  CandleModel,
  CompanyModel,
  CompanyOrder,
  CorporateActionModel,
  FlowTotalsModel,
  FieldCitationModel,
  HoldingsModel,
  HoldingsReportModel,
  LoanModel,
  LoanRepaymentModel,
  OfficerModel,
  PledgedModel,
  PriceChangeModel,
  PricePointModel,
  ProductionReportModel,
  RegionSummaryModel,
  SiteModel,
  SitePurpose,
  SiteStatus,
  SourceModel,
  BusinessLine,
  TreasuryTransactionKind,
  TreasuryTransactionModel,
} from './models.js';
import type { Writes } from './writes.js';

/**
 * What the schema needs from storage. The server implements it over SQL; the schema never
 * sees a query. Batch methods take many keys and answer in the same order, one entry per key,
 * so that per-request DataLoaders can turn N resolver calls into one statement.
 */
export interface DataSources {
  writes: Writes;
  sources: {
    byIds(ids: readonly string[]): Promise<(SourceModel | null)[]>;
  };
  companies: {
    byIds(ids: readonly string[]): Promise<(CompanyModel | null)[]>;
    byTickers(tickers: readonly string[]): Promise<(CompanyModel | null)[]>;
    page(request: CompanyPageRequest): Promise<Page<CompanyModel>>;
    count(filter: CompanyFilter): Promise<number>;
    /** Each company's latest reported holdings figure, or null. */
    latestHoldingsReports(companyIds: readonly string[]): Promise<(HoldingsReportModel | null)[]>;
    /** Every reported holdings figure of each company, oldest first. */
    holdingsReports(companyIds: readonly string[]): Promise<HoldingsReportModel[][]>;
  };
  officers: {
    byCompanyIds(companyIds: readonly string[]): Promise<OfficerModel[][]>;
  };
  sites: {
    byIds(ids: readonly string[]): Promise<(SiteModel | null)[]>;
    pages(companyIds: readonly string[], request: PageRequest<SiteFilter>): Promise<Page<SiteModel>[]>;
    counts(companyIds: readonly string[], filter: SiteFilter): Promise<number[]>;
    regionSummaries(companyIds: readonly string[]): Promise<RegionSummaryModel[][]>;
  };
  treasury: {
    holdings(keys: readonly CompanyDay[]): Promise<HoldingsModel[]>;
    flowTotals(keys: readonly CompanyWindow[]): Promise<FlowTotalsModel[]>;
    transactionsByIds(ids: readonly string[]): Promise<(TreasuryTransactionModel | null)[]>;
    transactionPages(
      companyIds: readonly string[],
      request: PageRequest<TreasuryTransactionFilter>,
    ): Promise<Page<TreasuryTransactionModel>[]>;
    transactionCounts(companyIds: readonly string[], filter: TreasuryTransactionFilter): Promise<number[]>;
  };
  production: {
    byIds(ids: readonly string[]): Promise<(ProductionReportModel | null)[]>;
    pages(companyIds: readonly string[], request: PageRequest<ProductionReportFilter>): Promise<Page<ProductionReportModel>[]>;
    counts(companyIds: readonly string[], filter: ProductionReportFilter): Promise<number[]>;
    citations(reportIds: readonly string[]): Promise<FieldCitationModel[][]>;
  };
  loans: {
    byIds(ids: readonly string[]): Promise<(LoanModel | null)[]>;
    byCompanyIds(companyIds: readonly string[]): Promise<LoanModel[][]>;
    repaymentsByLoanIds(loanIds: readonly string[]): Promise<LoanRepaymentModel[][]>;
    /** Collateral of the company's loans that are active at the end of the day. */
    pledgedBtc(keys: readonly CompanyDay[]): Promise<PledgedModel[]>;
    citations(loanIds: readonly string[]): Promise<FieldCitationModel[][]>;
  };
  assets: {
    byIds(ids: readonly string[]): Promise<(AssetModel | null)[]>;
    bySymbols(symbols: readonly string[]): Promise<(AssetModel | null)[]>;
    list(kind: AssetKind | null): Promise<AssetModel[]>;
    latestPrices(assetIds: readonly string[]): Promise<(PricePointModel | null)[]>;
    /** The last observation at or before each instant. */
    pricesAt(keys: readonly AssetInstant[]): Promise<(PricePointModel | null)[]>;
    corporateActions(assetIds: readonly string[]): Promise<CorporateActionModel[][]>;
    /** Raw all-time highs, many assets at once. */
    allTimeHighs(assetIds: readonly string[]): Promise<(PricePointModel | null)[]>;
    /** The highest high after dividing earlier observations by later ratio changes. */
    allTimeHigh(assetId: string, adjustments: readonly CorporateActionModel[]): Promise<PricePointModel | null>;
    candles(
      assetId: string,
      from: Date,
      to: Date,
      interval: CandleInterval,
      adjustments: readonly CorporateActionModel[],
    ): Promise<CandleModel[]>;
    change(assetId: string, from: Date, to: Date | null, adjustments: readonly CorporateActionModel[]): Promise<PriceChangeModel | null>;
  };
}

export interface CompanyDay {
  companyId: string;
  on: string;
}

export interface CompanyWindow {
  companyId: string;
  from: string;
  to: string;
}

export interface AssetInstant {
  assetId: string;
  at: Date;
}

/** Keyset pagination: `after` is the sort key of the last row already seen. */
export interface PageRequest<TFilter> {
  first: number;
  after: readonly string[] | null;
  filter: TFilter;
}

export interface Page<T> {
  edges: { node: T; key: readonly string[] }[];
  hasNextPage: boolean;
}

export interface CompanyFilter {
  tickers?: readonly string[] | null;
  businessLine?: BusinessLine | null;
  nameContains?: string | null;
  /** Companies with (true) or without (false) a BTC-backed loan or debt with BTC pledged. */
  hasBtcBackedDebt?: boolean | null;
}

export interface ProductionReportFilter {
  /** Reports whose period ends on or after this day. */
  periodEndFrom?: string | null;
}

export interface CompanyPageRequest extends PageRequest<CompanyFilter> {
  orderBy: CompanyOrder;
  /** The day whose holdings HOLDINGS_DESC orders by. */
  holdingsOn: string;
}

export interface SiteFilter {
  regions?: readonly string[] | null;
  status?: SiteStatus | null;
  purpose?: SitePurpose | null;
}

export interface TreasuryTransactionFilter {
  kinds?: readonly TreasuryTransactionKind[] | null;
  from?: string | null;
  to?: string | null;
}
