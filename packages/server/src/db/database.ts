import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** NUMERIC: read as a decimal string, written as one. */
type Numeric = ColumnType<string, string | number, string | number>;
/** DATE: read and written as `YYYY-MM-DD` (see the type parsers in connect.ts). */
type Day = ColumnType<string, string, string>;
/** bigint identity keys are read as strings: JavaScript numbers cannot hold every int8. */
type Id = string;
type ForeignId = ColumnType<string, string | number, string | number>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

interface Audited {
  created_at: CreatedAt;
  created_by_api_key_id: ForeignId | null;
}

export interface ApiKeysTable {
  id: Generated<Id>;
  name: string;
  role: 'reader' | 'editor' | 'admin';
  key_hash: string;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface SourcesTable extends Audited {
  id: Generated<Id>;
  title: string;
  url: string | null;
  publisher: string | null;
  published_on: Day | null;
}

export interface CompaniesTable extends Audited {
  id: Generated<Id>;
  name: string;
  ticker: string;
  exchange: string | null;
  business_lines: ColumnType<string[], string[] | undefined, string[]>;
  reported_site_count: number | null;
  reported_regions: ColumnType<string[], string[] | undefined, string[]>;
  source_id: ForeignId | null;
}

export interface OfficersTable extends Audited {
  id: Generated<Id>;
  company_id: ForeignId;
  name: string;
  role: string;
  since: Day | null;
  previous_employer: string | null;
  source_id: ForeignId | null;
}

export interface SitesTable extends Audited {
  id: Generated<Id>;
  company_id: ForeignId;
  name: string;
  region: string;
  country: string | null;
  status: string;
  purpose: string;
  power_capacity_mw: Numeric | null;
  hashrate_eh: Numeric | null;
  grid_connected: boolean | null;
  commissioned_on: Day | null;
  source_id: ForeignId | null;
}

export interface ProductionReportsTable extends Audited {
  id: Generated<Id>;
  company_id: ForeignId;
  period_start: Day;
  period_end: Day;
  mined_btc: Numeric;
  sold_btc: Numeric | null;
  sold_usd: Numeric | null;
  held_btc: Numeric | null;
  deployed_hashrate_eh: Numeric | null;
  operating_hashrate_eh: Numeric | null;
  source_id: ForeignId | null;
}

export interface TreasuryTransactionsTable extends Audited {
  id: Generated<Id>;
  company_id: ForeignId;
  kind: 'MINED' | 'PURCHASED' | 'SOLD' | 'OTHER';
  btc: Numeric;
  usd: Numeric | null;
  occurred_on: Day;
  note: string | null;
  source_id: ForeignId | null;
  production_report_id: ForeignId | null;
}

export interface HoldingsReportsTable extends Audited {
  id: Generated<Id>;
  company_id: ForeignId;
  reported_on: Day;
  btc: Numeric;
  source_id: ForeignId | null;
  production_report_id: ForeignId | null;
}

export interface LoansTable extends Audited {
  id: Generated<Id>;
  company_id: ForeignId;
  lender: string | null;
  principal_usd: Numeric | null;
  initial_collateral_btc: Numeric | null;
  originated_on: Day | null;
  matures_on: Day | null;
  interest_rate_percent: number | null;
  status: ColumnType<'ACTIVE' | 'REPAID' | 'DEFAULTED', 'ACTIVE' | 'REPAID' | 'DEFAULTED' | undefined>;
  margin_call_ltv: number | null;
  liquidation_ltv: number | null;
  source_id: ForeignId | null;
}

export interface LoanRepaymentsTable extends Audited {
  id: Generated<Id>;
  loan_id: ForeignId;
  amount_usd: Numeric;
  paid_on: Day;
  collateral_released_btc: ColumnType<string, string | number | undefined, string | number>;
  funded_by_transaction_id: ForeignId | null;
  source_id: ForeignId | null;
}

export interface AssetsTable extends Audited {
  id: Generated<Id>;
  symbol: string;
  name: string;
  kind: 'CRYPTO' | 'EQUITY';
  quote_currency: ColumnType<string, string | undefined, string>;
}

export interface PriceObservationsTable extends Audited {
  asset_id: ForeignId;
  at: ColumnType<Date, Date | string, Date | string>;
  open: Numeric;
  high: Numeric;
  low: Numeric;
  close: Numeric;
  volume: Numeric | null;
  source_id: ForeignId | null;
}

export interface CorporateActionsTable extends Audited {
  id: Generated<Id>;
  asset_id: ForeignId;
  effective_on: Day;
  ratio: Numeric;
  description: string;
  source_id: ForeignId | null;
}

export interface IdempotencyKeysTable extends Audited {
  key: string;
  operation: string;
  request_hash: string;
  result: ColumnType<unknown, string, string>;
}

export interface MetaTable {
  key: string;
  value: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  meta: MetaTable;
  api_keys: ApiKeysTable;
  sources: SourcesTable;
  companies: CompaniesTable;
  officers: OfficersTable;
  sites: SitesTable;
  production_reports: ProductionReportsTable;
  treasury_transactions: TreasuryTransactionsTable;
  holdings_reports: HoldingsReportsTable;
  loans: LoansTable;
  loan_repayments: LoanRepaymentsTable;
  assets: AssetsTable;
  price_observations: PriceObservationsTable;
  corporate_actions: CorporateActionsTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type SourceRow = Selectable<SourcesTable>;
export type NewSource = Insertable<SourcesTable>;
export type CompanyRow = Selectable<CompaniesTable>;
export type SiteRow = Selectable<SitesTable>;
export type TreasuryTransactionRow = Selectable<TreasuryTransactionsTable>;
export type ProductionReportRow = Selectable<ProductionReportsTable>;
export type AssetRow = Selectable<AssetsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
