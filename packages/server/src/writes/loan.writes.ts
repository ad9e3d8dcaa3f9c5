import type { Kysely } from 'kysely';
import {
  BTC_LIMIT,
  Decimal,
  notFound,
  USD_AMOUNT_LIMIT,
  type Actor,
  type CreateLoanInput,
  type LoanModel,
  type LoanRepaymentModel,
  type RepayLoanInput,
  type WriteResult,
} from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { lockCompanyById } from '../repositories/company.repository.js';
import {
  insertLoan,
  insertRepayment,
  loanCompanyId,
  loansByIds,
  repaymentsByLoanIds,
  settleLoanStatus,
} from '../repositories/loan.repository.js';
import { insertTransaction } from '../repositories/treasury.repository.js';
import { holdingsOutOfRange } from './holdings-invariant.js';
import { runIdempotentWrite } from './idempotency.js';
import { checkNamedCompany, lockNamedCompany } from './named-company.js';
import { Problems, userError } from './problems.js';
import { checkSource, recordSource } from './source.js';
import { Rejection, runWrite } from './transaction.js';

export async function createLoan(db: Kysely<Database>, input: CreateLoanInput, actor: Actor): Promise<WriteResult<LoanModel>> {
  const problems = new Problems();
  const company = checkNamedCompany(problems, input);
  problems.text(['input', 'lender'], input.lender, { max: 200 });
  problems.decimal(['input', 'principalUsd'], input.principalUsd, USD_AMOUNT_LIMIT, 'positive');
  problems.decimal(['input', 'collateralBtc'], input.collateralBtc, BTC_LIMIT, 'non-negative');
  problems.dayOrder([['input', 'originatedOn'], input.originatedOn], [['input', 'maturesOn'], input.maturesOn]);
  if (input.interestRatePercent != null && !(input.interestRatePercent >= 0 && input.interestRatePercent <= 1000)) {
    problems.add(['input', 'interestRatePercent'], 'interestRatePercent must be between 0 and 1000.');
  }
  problems.ratio(['input', 'marginCallLtv'], input.marginCallLtv);
  problems.ratio(['input', 'liquidationLtv'], input.liquidationLtv);
  if (input.marginCallLtv != null && input.liquidationLtv != null && input.liquidationLtv < input.marginCallLtv) {
    problems.add(['input', 'liquidationLtv'], 'liquidationLtv must not be below marginCallLtv.');
  }
  const source = checkSource(problems, ['input', 'source'], input.source, {
    required: true,
    states:
      input.principalUsd != null
        ? { field: 'principalUsd', value: input.principalUsd }
        : { field: 'collateralBtc', value: input.collateralBtc },
  });
  if (problems.any || !company) return problems.result();

  return runWrite(db, async (trx) => {
    const companyId = await lockNamedCompany(trx, company);
    const id = await insertLoan(trx, {
      companyId,
      lender: input.lender?.trim() || null,
      principalUsd: input.principalUsd ?? null,
      collateralBtc: input.collateralBtc,
      originatedOn: input.originatedOn ?? null,
      maturesOn: input.maturesOn ?? null,
      interestRatePercent: input.interestRatePercent ?? null,
      marginCallLtv: input.marginCallLtv ?? null,
      liquidationLtv: input.liquidationLtv ?? null,
      sourceId: await recordSource(trx, source, actor.apiKeyId),
      createdByApiKeyId: actor.apiKeyId,
    });
    return { value: (await loansByIds(trx, [id]))[0]!, change: { kind: 'company', companyId, record: 'loan', ids: [id] } };
  });
}

async function loanWithRepayment(db: Kysely<Database>, loanId: string, repaymentId: string) {
  const [loan] = await loansByIds(db, [loanId]);
  const [repayments] = await repaymentsByLoanIds(db, [loanId]);
  return { loan: loan!, repayment: repayments!.find((repayment) => repayment.id === repaymentId)! };
}

/**
 * A repayment, and with `fundedBySale` the BTC sale that paid for it, in one transaction:
 * the SOLD flow, the repayment linked to it, the collateral release and the loan's status
 * are all written or none is.
 */
export async function repayLoan(
  db: Kysely<Database>,
  input: RepayLoanInput,
  actor: Actor,
): Promise<WriteResult<{ loan: LoanModel; repayment: LoanRepaymentModel }>> {
  const problems = new Problems();
  problems.decimal(['input', 'amountUsd'], input.amountUsd, USD_AMOUNT_LIMIT, 'positive');
  problems.decimal(['input', 'collateralReleasedBtc'], input.collateralReleasedBtc, BTC_LIMIT, 'non-negative');
  if (input.fundedBySale) {
    problems.decimal(['input', 'fundedBySale', 'btc'], input.fundedBySale.btc, BTC_LIMIT, 'positive');
    problems.decimal(['input', 'fundedBySale', 'usd'], input.fundedBySale.usd, USD_AMOUNT_LIMIT, 'positive');
  }
  const source = checkSource(problems, ['input', 'source'], input.source, {
    required: true,
    states: { field: 'amountUsd', value: input.amountUsd },
  });
  if (problems.any) return problems.result();

  const { idempotencyKey, ...request } = input;
  return runIdempotentWrite(
    db,
    {
      operation: 'repayLoan',
      actor,
      key: idempotencyKey,
      input: request,
      replay: async (answer: { loan: LoanModel; repayment: LoanRepaymentModel }) => answer,
    },
    async (trx) => {
      const companyId = await loanCompanyId(trx, input.loanId);
      if (companyId === null) throw new Rejection([notFound(['input', 'loanId'], 'loan')]);
      await lockCompanyById(trx, companyId);
      const [loan] = await loansByIds(trx, [input.loanId]);
      const collateral = new Decimal(loan!.initialCollateralBtc ?? 0).minus(loan!.collateralReleasedBtc);
      const released = new Decimal(input.collateralReleasedBtc ?? 0);
      const refusals = [];
      if (loan!.status !== 'ACTIVE')
        refusals.push(userError(['input', 'loanId'], 'VALIDATION_FAILED', `The loan is ${loan!.status}, not ACTIVE.`));
      if (released.gt(collateral)) {
        refusals.push(
          userError(
            ['input', 'collateralReleasedBtc'],
            'VALIDATION_FAILED',
            `Only ${collateral.toFixed()} BTC of collateral is pledged on this loan.`,
          ),
        );
      }
      if (loan!.principalUsd !== null && new Decimal(loan!.repaidUsd).plus(input.amountUsd).gt(loan!.principalUsd)) {
        refusals.push(
          userError(
            ['input', 'amountUsd'],
            'VALIDATION_FAILED',
            `Only ${new Decimal(loan!.principalUsd).minus(loan!.repaidUsd).toFixed()} USD is outstanding on this loan.`,
          ),
        );
      }
      if (refusals.length) throw new Rejection(refusals);

      const sourceId = await recordSource(trx, source, actor.apiKeyId);
      let saleId: string | null = null;
      if (input.fundedBySale) {
        const sale = await insertTransaction(trx, {
          companyId,
          kind: 'SOLD',
          btc: input.fundedBySale.btc,
          usd: input.fundedBySale.usd,
          occurredOn: input.paidOn,
          note: 'Sold to fund a loan repayment',
          sourceId,
          createdByApiKeyId: actor.apiKeyId,
        });
        saleId = sale.id;
        const outOfRange = await holdingsOutOfRange(trx, companyId, input.paidOn);
        if (outOfRange) throw new Rejection([{ ...outOfRange, field: ['input', 'fundedBySale', 'btc'] }]);
      }
      const repaymentId = await insertRepayment(trx, {
        loanId: input.loanId,
        amountUsd: input.amountUsd,
        paidOn: input.paidOn,
        collateralReleasedBtc: released.toFixed(),
        fundedByTransactionId: saleId,
        sourceId,
        createdByApiKeyId: actor.apiKeyId,
      });
      await settleLoanStatus(trx, input.loanId);
      const answer = await loanWithRepayment(trx, input.loanId, repaymentId);
      // A retry gets the loan as this repayment left it, not as later ones changed it.
      return {
        value: answer,
        ref: answer,
        change: { kind: 'company', companyId, record: 'loanRepayment', ids: [repaymentId, ...(saleId ? [saleId] : [])] },
      };
    },
  );
}
