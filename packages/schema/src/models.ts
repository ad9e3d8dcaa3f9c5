/**
 * The plain shapes the schema resolves from. Decimals are canonical-or-not decimal strings
 * (the Decimal scalar canonicalises on output), days are `YYYY-MM-DD` strings, instants are
 * `Date`s, and ids are the database's own keys as strings.
 */

export type BusinessLine = 'BITCOIN_MINING' | 'AI_COMPUTE' | 'HPC_HOSTING';
export type SourceKind = 'FILING' | 'COMPANY_RELEASE' | 'WIRE_REPRINT' | 'TRADE_PRESS' | 'NEWS' | 'AGGREGATOR';
export type ReportPeriod = 'MONTH' | 'QUARTER' | 'YEAR';
export type LoanKind = 'BTC_BACKED_LOAN' | 'CREDIT_LINE' | 'CONVERTIBLE_NOTES' | 'TERM_LOAN';
export type SiteStatus = 'PLANNED' | 'UNDER_CONSTRUCTION' | 'OPERATING' | 'IDLE' | 'DECOMMISSIONED';
export type SitePurpose = 'BITCOIN_MINING' | 'AI_COMPUTE' | 'MIXED';
export type TreasuryTransactionKind = 'MINED' | 'PURCHASED' | 'SOLD' | 'OTHER';
export type LoanStatus = 'ACTIVE' | 'REPAID' | 'DEFAULTED';
export type AssetKind = 'CRYPTO' | 'EQUITY';
export type CalendarInterval = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';
export type CandleInterval = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';
export type CompanyOrder = 'TICKER_ASC' | 'NAME_ASC' | 'HOLDINGS_DESC' | 'LATEST_REPORTED_BTC_DESC';

export interface SourceModel {
  id: string;
  title: string;
  url: string | null;
  publisher: string | null;
  publishedOn: string | null;
  /** What kind of page it is; null for sources recorded through the API without one. */
  kind: SourceKind | null;
  /** The verbatim sentence stating the fact this source is the citation of. */
  quote: string | null;
  /** The day the quoted sentence gives its figure for. */
  asOf: string | null;
}

/** The page one number of a fact was quoted from. */
export interface FieldCitationModel {
  field: string;
  sourceId: string;
}

export interface CompanyModel {
  id: string;
  name: string;
  ticker: string;
  exchange: string | null;
  businessLines: BusinessLine[];
  reportedSiteCount: number | null;
  reportedRegions: string[];
  sourceId: string | null;
}

export interface OfficerModel {
  id: string;
  companyId: string;
  name: string;
  role: string;
  since: string | null;
  previousEmployer: string | null;
  sourceId: string | null;
}

export interface SiteModel {
  id: string;
  companyId: string;
  name: string;
  region: string;
  country: string | null;
  status: SiteStatus;
  purpose: SitePurpose;
  powerCapacityMw: string | null;
  hashrateEh: string | null;
  gridConnected: boolean | null;
  commissionedOn: string | null;
  sourceId: string | null;
}

export interface RegionSummaryModel {
  region: string;
  siteCount: number;
  powerCapacityMw: string;
  hashrateEh: string;
}

export interface TreasuryTransactionModel {
  id: string;
  companyId: string;
  kind: TreasuryTransactionKind;
  btc: string;
  usd: string | null;
  occurredOn: string;
  note: string | null;
  sourceId: string | null;
  productionReportId: string | null;
}

export interface HoldingsReportModel {
  id: string;
  companyId: string;
  on: string;
  btc: string;
  /** What the figure includes, as the company states it; null when it states nothing. */
  basis: string | null;
  sourceId: string | null;
}

/** Holdings of one company at the end of one day, as the database computed them. */
export interface HoldingsModel {
  companyId: string;
  on: string;
  btc: string;
  anchor: HoldingsReportModel | null;
}

export interface FlowTotalsModel {
  minedBtc: string;
  purchasedBtc: string;
  soldBtc: string;
  otherBtc: string;
  /** Proceeds of the sales that have them, and the BTC of those sales. */
  soldUsd: string;
  soldBtcWithUsd: string;
}

export interface ProductionReportModel {
  id: string;
  companyId: string;
  periodStart: string;
  periodEnd: string;
  minedBtc: string;
  soldBtc: string | null;
  soldUsd: string | null;
  heldBtc: string | null;
  deployedHashrateEh: string | null;
  operatingHashrateEh: string | null;
  /** The period as published; null for reports recorded without one. */
  period: ReportPeriod | null;
  sourceId: string | null;
}

export interface LoanModel {
  id: string;
  companyId: string;
  lender: string | null;
  principalUsd: string | null;
  /** Null when the collateral was never disclosed. */
  initialCollateralBtc: string | null;
  /** Sum of repayments. */
  repaidUsd: string;
  /** Sum of collateral released by repayments. */
  collateralReleasedBtc: string;
  originatedOn: string | null;
  maturesOn: string | null;
  interestRatePercent: number | null;
  status: LoanStatus;
  marginCallLtv: number | null;
  liquidationLtv: number | null;
  kind: LoanKind;
  description: string | null;
  sourceId: string | null;
}

/** BTC pledged on a company's active loans at the end of a day. */
export interface PledgedModel {
  btc: string;
  /** False when an active BTC-backed loan's collateral was never disclosed: btc then leaves it out. */
  complete: boolean;
}

export interface LoanRepaymentModel {
  id: string;
  loanId: string;
  amountUsd: string;
  paidOn: string;
  collateralReleasedBtc: string;
  fundedByTransactionId: string | null;
  sourceId: string | null;
}

export interface AssetModel {
  id: string;
  symbol: string;
  name: string;
  kind: AssetKind;
  quoteCurrency: string;
}

export interface PricePointModel {
  assetId: string;
  at: Date;
  priceUsd: string;
  sourceId: string | null;
}

export interface CandleModel {
  start: Date;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string | null;
}

export interface PriceChangeModel {
  from: PricePointModel;
  to: PricePointModel;
  high: string;
  low: string;
}

/** A change in how many listed units one old unit became: a split, a reverse split, an ADS conversion. */
export interface CorporateActionModel {
  id: string;
  assetId: string;
  effectiveOn: string;
  /** New units per old unit: 2 means each old unit became 2, so earlier prices are halved. */
  ratio: string;
  description: string;
  sourceId: string | null;
}
