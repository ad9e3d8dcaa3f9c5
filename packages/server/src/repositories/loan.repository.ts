import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import type { CompanyDay, LoanModel, LoanRepaymentModel, PledgedModel } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { groupedInKeyOrder, inKeyOrder, validIds } from './batch.js';

interface LoanWithTotalsRow {
  id: string;
  company_id: string;
  lender: string | null;
  principal_usd: string | null;
  initial_collateral_btc: string | null;
  repaid_usd: string;
  collateral_released_btc: string;
  originated_on: string | null;
  matures_on: string | null;
  interest_rate_percent: number | null;
  status: LoanModel['status'];
  margin_call_ltv: number | null;
  liquidation_ltv: number | null;
  kind: LoanModel['kind'];
  description: string | null;
  source_id: string | null;
}

function toLoan(row: LoanWithTotalsRow): LoanModel {
  return {
    id: row.id,
    companyId: row.company_id,
    lender: row.lender,
    principalUsd: row.principal_usd,
    initialCollateralBtc: row.initial_collateral_btc,
    repaidUsd: row.repaid_usd,
    collateralReleasedBtc: row.collateral_released_btc,
    originatedOn: row.originated_on,
    maturesOn: row.matures_on,
    interestRatePercent: row.interest_rate_percent,
    status: row.status,
    marginCallLtv: row.margin_call_ltv,
    liquidationLtv: row.liquidation_ltv,
    kind: row.kind,
    description: row.description,
    sourceId: row.source_id,
  };
}

/**
 * Every loan with its repayment totals, which repayments change and the API always derives: a
 * derived table with the columns of loans plus repaid_usd and collateral_released_btc (also
 * compiled into look-ahead reads).
 */
export const LOANS_WITH_TOTALS = sql`(
  select l.*, coalesce(r.repaid_usd, 0) as repaid_usd, coalesce(r.collateral_released_btc, 0) as collateral_released_btc
  from loans l
  left join lateral (
    select sum(amount_usd) as repaid_usd, sum(collateral_released_btc) as collateral_released_btc
    from loan_repayments where loan_id = l.id
  ) r on true
)`;

async function loansWhere(db: Kysely<Database>, column: 'id' | 'company_id', ids: string[]): Promise<LoanModel[]> {
  if (!ids.length) return [];
  const { rows } = await sql<LoanWithTotalsRow>`
    select * from ${LOANS_WITH_TOTALS} l
    where ${sql.ref(`l.${column}`)} = any(${ids}::bigint[])
    order by l.originated_on nulls last, l.id`.execute(db);
  return rows.map(toLoan);
}

export async function loansByIds(db: Kysely<Database>, ids: readonly string[]) {
  return inKeyOrder(ids, await loansWhere(db, 'id', validIds(ids)), (loan) => loan.id);
}

export async function loansByCompanyIds(db: Kysely<Database>, companyIds: readonly string[]) {
  return groupedInKeyOrder(companyIds, await loansWhere(db, 'company_id', validIds(companyIds)), (loan) => loan.companyId);
}

export async function repaymentsByLoanIds(db: Kysely<Database>, loanIds: readonly string[]): Promise<LoanRepaymentModel[][]> {
  const wanted = validIds(loanIds);
  const rows = wanted.length
    ? await db.selectFrom('loan_repayments').selectAll().where('loan_id', 'in', wanted).orderBy('paid_on').orderBy('id').execute()
    : [];
  const repayments = rows.map(
    (row): LoanRepaymentModel => ({
      id: row.id,
      loanId: row.loan_id,
      amountUsd: row.amount_usd,
      paidOn: row.paid_on,
      collateralReleasedBtc: row.collateral_released_btc,
      fundedByTransactionId: row.funded_by_transaction_id,
      sourceId: row.source_id,
    }),
  );
  return groupedInKeyOrder(loanIds, repayments, (repayment) => repayment.loanId);
}

/**
 * Collateral pledged by a company at the end of a day, as one row (pledged, undisclosed): loans
 * originated by then (or undated), not defaulted, and not yet repaid in full by then, less
 * collateral released by then; undisclosed counts the BTC-backed loans whose collateral was never
 * disclosed. Also compiled into look-ahead reads.
 */
export function pledgedOn(companyId: Expression<unknown>, day: Expression<unknown>): RawBuilder<unknown> {
  return sql`(
    select coalesce(sum(p.collateral), 0) as pledged,
           count(*) filter (where p.kind = 'BTC_BACKED_LOAN' and p.initial_collateral_btc is null)::int as undisclosed
    from (
      select coalesce(l.initial_collateral_btc, 0) - coalesce(r.released, 0) as collateral, l.kind, l.initial_collateral_btc
      from loans l
      left join lateral (
        select sum(amount_usd) as repaid, sum(collateral_released_btc) as released
        from loan_repayments where loan_id = l.id and paid_on <= ${day}
      ) r on true
      where l.company_id = ${companyId} and l.status <> 'DEFAULTED'
        and (l.originated_on is null or l.originated_on <= ${day})
        and (l.principal_usd is null or coalesce(r.repaid, 0) < l.principal_usd)
    ) p
  )`;
}

export async function pledgedBtc(db: Kysely<Database>, keys: readonly CompanyDay[]): Promise<PledgedModel[]> {
  const { rows } = await sql<{ pledged: string; undisclosed: number }>`
    select p.pledged, p.undisclosed
    from unnest(${keys.map((k) => k.companyId)}::bigint[], ${keys.map((k) => k.on)}::date[])
         with ordinality as k(company_id, day, position)
    cross join lateral ${pledgedOn(sql.ref('k.company_id'), sql.ref('k.day'))} p
    order by k.position`.execute(db);
  return rows.map((row) => ({ btc: row.pledged, complete: row.undisclosed === 0 }));
}

export interface NewLoan {
  companyId: string;
  lender: string | null;
  principalUsd: string | null;
  collateralBtc: string | null;
  originatedOn: string | null;
  maturesOn: string | null;
  interestRatePercent: number | null;
  marginCallLtv: number | null;
  liquidationLtv: number | null;
  kind?: LoanModel['kind'];
  description?: string | null;
  sourceId: string | null;
  createdByApiKeyId?: string | null;
  factKey?: string | null;
}

export async function insertLoan(db: Kysely<Database>, loan: NewLoan): Promise<string> {
  const row = await db
    .insertInto('loans')
    .values({
      company_id: loan.companyId,
      lender: loan.lender,
      principal_usd: loan.principalUsd,
      initial_collateral_btc: loan.collateralBtc,
      originated_on: loan.originatedOn,
      matures_on: loan.maturesOn,
      interest_rate_percent: loan.interestRatePercent,
      margin_call_ltv: loan.marginCallLtv,
      liquidation_ltv: loan.liquidationLtv,
      kind: loan.kind ?? 'BTC_BACKED_LOAN',
      description: loan.description ?? null,
      source_id: loan.sourceId,
      created_by_api_key_id: loan.createdByApiKeyId ?? null,
      fact_key: loan.factKey ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertRepayment(
  db: Kysely<Database>,
  repayment: Omit<LoanRepaymentModel, 'id'> & { createdByApiKeyId?: string | null },
): Promise<string> {
  const row = await db
    .insertInto('loan_repayments')
    .values({
      loan_id: repayment.loanId,
      amount_usd: repayment.amountUsd,
      paid_on: repayment.paidOn,
      collateral_released_btc: repayment.collateralReleasedBtc,
      funded_by_transaction_id: repayment.fundedByTransactionId,
      source_id: repayment.sourceId,
      created_by_api_key_id: repayment.createdByApiKeyId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A loan is repaid once repayments cover a known principal. */
export async function settleLoanStatus(db: Kysely<Database>, loanId: string): Promise<void> {
  await sql`
    update loans l set status = 'REPAID'
    where l.id = ${loanId}::bigint and l.status = 'ACTIVE' and l.principal_usd is not null
      and (select coalesce(sum(amount_usd), 0) from loan_repayments where loan_id = l.id) >= l.principal_usd`.execute(db);
}

/** The company a loan belongs to, or null if no loan has this id. */
export async function loanCompanyId(db: Kysely<Database>, loanId: string): Promise<string | null> {
  const row = await db.selectFrom('loans').select('company_id').where('id', '=', loanId).executeTakeFirst();
  return row?.company_id ?? null;
}
