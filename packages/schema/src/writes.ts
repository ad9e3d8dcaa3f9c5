import type {
  AssetKind,
  AssetModel,
  BusinessLine,
  CompanyModel,
  CorporateActionModel,
  LoanModel,
  LoanRepaymentModel,
  ProductionReportModel,
  SiteModel,
  SitePurpose,
  SiteStatus,
  TreasuryTransactionKind,
  TreasuryTransactionModel,
} from './models.js';
import type { UserErrorModel } from './types/user-error.js';

/**
 * What the schema asks of storage to record facts. Every method checks its input, writes
 * all or nothing, and answers with the recorded thing or with userErrors (nothing written).
 * Ids are the database's own (the schema decodes global ids first).
 */
export interface Writes {
  createCompany(input: CreateCompanyInput, actor: Actor): Promise<WriteResult<CompanyModel>>;
  createSite(input: CreateSiteInput, actor: Actor): Promise<WriteResult<SiteModel>>;
  recordTreasuryTransaction(input: RecordTreasuryTransactionInput, actor: Actor): Promise<WriteResult<TreasuryTransactionModel>>;
  recordProductionReport(input: RecordProductionReportInput, actor: Actor): Promise<WriteResult<ProductionReportModel>>;
  createLoan(input: CreateLoanInput, actor: Actor): Promise<WriteResult<LoanModel>>;
  repayLoan(input: RepayLoanInput, actor: Actor): Promise<WriteResult<{ loan: LoanModel; repayment: LoanRepaymentModel }>>;
  createAsset(input: CreateAssetInput, actor: Actor): Promise<WriteResult<AssetModel>>;
  recordPrices(input: RecordPricesInput, actor: Actor): Promise<WriteResult<{ inserted: number; updated: number }>>;
  recordCorporateAction(input: RecordCorporateActionInput, actor: Actor): Promise<WriteResult<CorporateActionModel>>;
}

export type WriteResult<T> = { ok: true; value: T } | { ok: false; userErrors: UserErrorModel[] };

export function ok<T>(value: T): WriteResult<T> {
  return { ok: true, value };
}

/** Nothing written, and why. */
export function rejected(...userErrors: UserErrorModel[]): WriteResult<never> {
  return { ok: false, userErrors };
}

/** The API key a write is recorded against. */
export interface Actor {
  apiKeyId: string | null;
}

type Optional<T> = T | null | undefined;

export interface SourceInput {
  title: string;
  url?: Optional<string>;
  publisher?: Optional<string>;
  publishedOn?: Optional<string>;
  quote?: Optional<string>;
  asOf?: Optional<string>;
}

export interface CreateCompanyInput {
  name: string;
  ticker: string;
  exchange?: Optional<string>;
  businessLines?: Optional<BusinessLine[]>;
}

/**
 * How a write names its company: by `companyId` (the database's id; the schema decodes the global
 * id) or by `ticker`, exactly one. The write checks that and answers NOT_FOUND for an unknown one.
 */
export interface NamedCompanyInput {
  companyId?: Optional<string>;
  ticker?: Optional<string>;
}

export interface CreateSiteInput extends NamedCompanyInput {
  name: string;
  region: string;
  country?: Optional<string>;
  status: SiteStatus;
  purpose: SitePurpose;
  powerCapacityMw?: Optional<string>;
  hashrateEh?: Optional<string>;
  gridConnected?: Optional<boolean>;
  commissionedOn?: Optional<string>;
  source?: Optional<SourceInput>;
}

export interface RecordTreasuryTransactionInput extends NamedCompanyInput {
  kind: TreasuryTransactionKind;
  btc: string;
  usd?: Optional<string>;
  occurredOn: string;
  note?: Optional<string>;
  source?: Optional<SourceInput>;
  idempotencyKey?: Optional<string>;
}

export interface RecordProductionReportInput extends NamedCompanyInput {
  periodStart: string;
  periodEnd: string;
  minedBtc: string;
  soldBtc?: Optional<string>;
  soldUsd?: Optional<string>;
  heldBtc?: Optional<string>;
  deployedHashrateEh?: Optional<string>;
  operatingHashrateEh?: Optional<string>;
  source?: Optional<SourceInput>;
  idempotencyKey?: Optional<string>;
}

export interface CreateLoanInput extends NamedCompanyInput {
  lender?: Optional<string>;
  principalUsd?: Optional<string>;
  collateralBtc: string;
  originatedOn?: Optional<string>;
  maturesOn?: Optional<string>;
  interestRatePercent?: Optional<number>;
  marginCallLtv?: Optional<number>;
  liquidationLtv?: Optional<number>;
  source?: Optional<SourceInput>;
}

export interface RepayLoanInput {
  loanId: string;
  amountUsd: string;
  paidOn: string;
  collateralReleasedBtc?: Optional<string>;
  fundedBySale?: Optional<{ btc: string; usd: string }>;
  source?: Optional<SourceInput>;
  idempotencyKey?: Optional<string>;
}

export interface CreateAssetInput {
  symbol: string;
  name: string;
  kind: AssetKind;
  quoteCurrency?: Optional<string>;
}

export interface PriceInput {
  at: Date;
  open?: Optional<string>;
  high?: Optional<string>;
  low?: Optional<string>;
  close: string;
  volume?: Optional<string>;
}

export interface RecordPricesInput {
  symbol: string;
  points: PriceInput[];
  source?: Optional<SourceInput>;
}

export interface RecordCorporateActionInput {
  symbol: string;
  effectiveOn: string;
  ratio: string;
  description: string;
  source?: Optional<SourceInput>;
}
