import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { canonical, Decimal, divide, toRoundedFloat } from '../decimal.js';
import { BTC_LIMIT, describeLimit, limitProblem, PRICE_LIMIT, USD_AMOUNT_LIMIT } from '../decimal-limits.js';
import { badUserInput } from '../errors.js';
import { IDEMPOTENCY_KEY_DESCRIPTION, TEXT_RULE } from '../text-rules.js';
import type { LoanKind, LoanModel, LoanRepaymentModel, LoanStatus } from '../models.js';
import { Company } from './company.js';
import { FieldCitation, sourceField, SourceInput } from './source.js';
import {
  COMPANY_ID_DESCRIPTION,
  COMPANY_TICKER_DESCRIPTION,
  SOURCE_INPUT_DESCRIPTION,
  actorOf,
  localId,
  notFound,
  payload,
  payloadType,
  writeForCompany,
} from '../mutation.js';
import { rejected } from '../writes.js';
import { TreasuryTransaction } from './treasury.js';

export const LoanStatusEnum = builder.enumType('LoanStatus', {
  description: 'Where a loan stands.',
  values: {
    ACTIVE: { description: 'Not yet repaid in full; repayments may be recorded.' },
    REPAID: { description: 'Repaid in full: it became so when repayments covered a known principal.' },
    DEFAULTED: { description: 'The borrower defaulted, as recorded.' },
  } as const satisfies Record<LoanStatus, unknown>,
});

export const LoanKindEnum = builder.enumType('LoanKind', {
  description: 'What kind of debt a loan is, as the company discloses it.',
  values: {
    BTC_BACKED_LOAN: { description: 'A loan secured by BTC.' },
    CREDIT_LINE: { description: 'A credit facility; BTC-backed when collateralBtcReported is given.' },
    CONVERTIBLE_NOTES: { description: 'Convertible notes (usually unsecured).' },
    TERM_LOAN: { description: 'A term loan.' },
  } as const satisfies Record<LoanKind, unknown>,
});

export function outstandingUsd(loan: LoanModel): Decimal | null {
  return loan.principalUsd === null ? null : new Decimal(loan.principalUsd).minus(loan.repaidUsd);
}

export function collateralBtc(loan: LoanModel): Decimal {
  return new Decimal(loan.initialCollateralBtc ?? 0).minus(loan.collateralReleasedBtc);
}

/** The BTC price at which the loan's LTV reaches `threshold`; null when it cannot be known. */
function priceAtLtv(loan: LoanModel, threshold: number | null): string | null {
  const outstanding = outstandingUsd(loan);
  const collateral = collateralBtc(loan);
  if (outstanding === null || threshold === null || threshold <= 0 || collateral.isZero()) return null;
  return canonical(divide(outstanding, collateral.times(String(threshold))));
}

async function latestBtcPoint(context: Context) {
  const btc = await context.loaders.assetBySymbol.load('BTC');
  return btc ? context.loaders.latestPrice.load(btc.id) : null;
}

async function latestBtcClose(context: Context): Promise<string | null> {
  return (await latestBtcPoint(context))?.priceUsd ?? null;
}

/** A price argument within PRICE_LIMIT and greater than 0, or BAD_USER_INPUT naming it. */
function checkPriceArgument(name: string, price: string): void {
  const beyond = limitProblem(PRICE_LIMIT, name, price);
  if (beyond) throw badUserInput(beyond, [name]);
  if (new Decimal(price).lte(0)) throw badUserInput(`${name} must be greater than 0; it was ${price}.`, [name]);
}

const LoanRepayment = builder.objectRef<LoanRepaymentModel>('LoanRepayment').implement({
  description: 'A payment on a loan.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The repayment's id (a database id, not a global id)." }),
    amountUsd: t.expose('amountUsd', { type: 'Decimal', description: 'USD paid.' }),
    paidOn: t.expose('paidOn', { type: 'Date', description: 'The day it was paid.' }),
    collateralReleasedBtc: t.expose('collateralReleasedBtc', {
      type: 'Decimal',
      description: 'BTC of collateral the lender released with it; 0 when none.',
    }),
    fundedBy: t.field({
      type: TreasuryTransaction,
      nullable: true,
      description: 'The BTC sale that funded this repayment, when recorded together.',
      resolve: (repayment) => repayment.fundedByTransactionId,
    }),
    source: t.field(sourceField),
  }),
});

export const Loan = builder.loadableNode('Loan', {
  description: 'A debt of the company: a Bitcoin-backed loan, a credit line, convertible notes or a term loan (see kind).',
  id: { resolve: (loan: LoanModel) => loan.id },
  load: (ids: string[], context) => context.data.loans.byIds(ids),
  fields: (t) => ({
    company: t.field({ type: Company, description: 'The borrower.', resolve: (loan) => loan.companyId }),
    kind: t.field({ type: LoanKindEnum, description: 'What kind of debt this is, as disclosed.', resolve: (loan) => loan.kind }),
    description: t.exposeString('description', { nullable: true, description: 'The terms as disclosed, in words.' }),
    lender: t.exposeString('lender', { nullable: true, description: 'Who lent; null when undisclosed.' }),
    principalUsd: t.expose('principalUsd', {
      type: 'Decimal',
      nullable: true,
      description: 'USD of principal drawn; null when it was never disclosed.',
    }),
    repaidUsd: t.expose('repaidUsd', { type: 'Decimal', description: 'USD repaid: the sum of the repayments.' }),
    outstandingUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'USD still owed: principalUsd - repaidUsd; null when the principal is unknown.',
      resolve: (loan) => {
        const outstanding = outstandingUsd(loan);
        return outstanding === null ? null : canonical(outstanding);
      },
    }),
    collateralBtc: t.field({
      type: 'Decimal',
      description:
        'BTC pledged: initial collateral less collateral released by repayments; 0 when never disclosed (see collateralDisclosed).',
      resolve: (loan) => canonical(collateralBtc(loan)),
    }),
    collateralBtcReported: t.field({
      type: 'Decimal',
      nullable: true,
      description:
        'Collateral as disclosed, less collateral released by repayments; null when never disclosed (unlike collateralBtc, which reads 0).',
      resolve: (loan) => (loan.initialCollateralBtc === null ? null : canonical(collateralBtc(loan))),
    }),
    collateralDisclosed: t.boolean({
      description: 'False when the lender or company never disclosed the collateral; then ltv and trigger prices are null.',
      resolve: (loan) => loan.initialCollateralBtc !== null,
    }),
    originatedOn: t.expose('originatedOn', { type: 'Date', nullable: true, description: 'The day it was drawn; null when not recorded.' }),
    maturesOn: t.expose('maturesOn', { type: 'Date', nullable: true, description: 'The day it falls due; null when not recorded.' }),
    interestRatePercent: t.exposeFloat('interestRatePercent', {
      nullable: true,
      description: 'A percent a year, as recorded: 9 means 9 % a year. Null when undisclosed.',
    }),
    status: t.field({ type: LoanStatusEnum, description: 'ACTIVE until repaid in full.', resolve: (loan) => loan.status }),
    marginCallLtv: t.exposeFloat('marginCallLtv', {
      nullable: true,
      description:
        'A fraction, as recorded (like ltv): 0.7 means the lender calls for more collateral when ltv reaches 70 %. Null when undisclosed.',
    }),
    liquidationLtv: t.exposeFloat('liquidationLtv', {
      nullable: true,
      description:
        'A fraction, as recorded (like ltv): 0.8 means the lender may sell the collateral when ltv reaches 80 %. Null when undisclosed.',
    }),
    ltv: t.float({
      nullable: true,
      description:
        "Loan-to-value, a fraction rounded half-up to 8 decimal places: outstandingUsd / (collateralBtc × price), so 0.5 means the debt is half the collateral's value; price defaults to the latest BTC close. Null when not computable (unknown principal or collateral, no price, or beyond what a Float holds).",
      args: {
        btcPriceUsd: t.arg({
          type: 'Decimal',
          description: `The BTC price to compute with instead of the latest close: greater than 0. ${describeLimit(PRICE_LIMIT)}`,
        }),
      },
      resolve: async (loan, args, context) => {
        if (args.btcPriceUsd != null) checkPriceArgument('btcPriceUsd', args.btcPriceUsd);
        const outstanding = outstandingUsd(loan);
        const collateral = collateralBtc(loan);
        if (outstanding === null || collateral.isZero()) return null;
        const price = args.btcPriceUsd ?? (await latestBtcClose(context));
        if (price === null || new Decimal(price).lte(0)) return null;
        return toRoundedFloat(outstanding.div(collateral.times(price)));
      },
    }),
    btcPriceAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the latest BTC close that ltv uses by default was observed; null when no price is known.',
      resolve: async (_loan, _args, context) => (await latestBtcPoint(context))?.at ?? null,
    }),
    citations: t.field({
      type: [FieldCitation],
      description: 'The page and sentence each disclosed term was quoted from (debts from the data files).',
      resolve: (loan, _args, context) => context.loaders.loanCitations.load(loan.id),
    }),
    marginCallPriceUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description:
        'USD per BTC at which ltv reaches marginCallLtv: outstandingUsd / (collateralBtc × marginCallLtv), rounded half-up to 8 places; null when one of them is unknown.',
      resolve: (loan) => priceAtLtv(loan, loan.marginCallLtv),
    }),
    liquidationPriceUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description:
        'USD per BTC at which ltv reaches liquidationLtv: outstandingUsd / (collateralBtc × liquidationLtv), rounded half-up to 8 places; null when one of them is unknown.',
      resolve: (loan) => priceAtLtv(loan, loan.liquidationLtv),
    }),
    repayments: t.field({
      type: [LoanRepayment],
      description: 'Its repayments, oldest first.',
      resolve: (loan, _args, context) => context.loaders.repayments.load(loan.id),
    }),
    source: t.field(sourceField),
  }),
});

builder.objectFields(Company, (t) => ({
  loans: t.field({
    type: [Loan],
    description: "The company's Bitcoin-backed loans, by originatedOn, oldest first (undated ones last).",
    args: { status: t.arg({ type: LoanStatusEnum, description: 'Only loans with this status (default: all).' }) },
    resolve: async (company, { status }, context) => {
      const loans = await context.loaders.loansByCompany.load(company.id);
      return status ? loans.filter((loan) => loan.status === status) : loans;
    },
  }),
}));

const CreateLoanInput = builder.inputType('CreateLoanInput', {
  description: 'A new Bitcoin-backed loan of a company.',
  fields: (t) => ({
    companyId: t.id({ description: COMPANY_ID_DESCRIPTION }),
    ticker: t.string({ description: COMPANY_TICKER_DESCRIPTION }),
    lender: t.string({ description: `Who lent; omit when undisclosed. At most 200 characters. ${TEXT_RULE}` }),
    principalUsd: t.field({
      type: 'Decimal',
      description: `USD drawn: greater than 0; omit when undisclosed. ${describeLimit(USD_AMOUNT_LIMIT)}`,
    }),
    collateralBtc: t.field({ type: 'Decimal', required: true, description: `BTC pledged: not negative. ${describeLimit(BTC_LIMIT)}` }),
    originatedOn: t.field({ type: 'Date', description: 'The day it was drawn.' }),
    maturesOn: t.field({ type: 'Date', description: 'The day it falls due: not before originatedOn.' }),
    interestRatePercent: t.float({ description: 'A percent a year, 0 to 1000: 9 means 9 % a year.' }),
    marginCallLtv: t.float({ description: 'A fraction above 0, at most 10: 0.7 means a margin call at 70 % loan-to-value.' }),
    liquidationLtv: t.float({ description: 'A fraction above 0, at most 10, not below marginCallLtv: 0.8 means liquidation at 80 %.' }),
    source: t.field({ type: SourceInput, description: SOURCE_INPUT_DESCRIPTION }),
  }),
});

const CreateLoanPayload = payloadType('createLoan', (t) => ({
  loan: t.field({ type: Loan, nullable: true, description: 'The loan created; null when refused.' }),
}));

const SaleInput = builder.inputType('SaleInput', {
  description: 'A BTC sale, recorded as a SOLD treasury transaction on the day of the repayment.',
  fields: (t) => ({
    btc: t.field({ type: 'Decimal', required: true, description: `BTC sold: greater than 0. ${describeLimit(BTC_LIMIT)}` }),
    usd: t.field({ type: 'Decimal', required: true, description: `USD proceeds: greater than 0. ${describeLimit(USD_AMOUNT_LIMIT)}` }),
  }),
});

const RepayLoanInput = builder.inputType('RepayLoanInput', {
  description: 'A payment on an ACTIVE loan.',
  fields: (t) => ({
    loanId: t.id({ required: true, description: 'The loan, by its global id.' }),
    amountUsd: t.field({
      type: 'Decimal',
      required: true,
      description: `USD paid: greater than 0, and no more than is outstanding. ${describeLimit(USD_AMOUNT_LIMIT)}`,
    }),
    paidOn: t.field({ type: 'Date', required: true, description: 'The day it was paid.' }),
    collateralReleasedBtc: t.field({
      type: 'Decimal',
      description: `BTC of collateral released with it (default 0): not negative, and no more than is pledged. ${describeLimit(BTC_LIMIT)}`,
    }),
    fundedBySale: t.field({ type: SaleInput, description: 'The BTC sale that paid for it, recorded with it in one transaction.' }),
    source: t.field({ type: SourceInput, description: SOURCE_INPUT_DESCRIPTION }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const RepayLoanPayload = payloadType('repayLoan', (t) => ({
  loan: t.field({ type: Loan, nullable: true, description: 'The loan after the repayment; null when refused.' }),
  repayment: t.field({ type: LoanRepayment, nullable: true, description: 'The repayment recorded; null when refused.' }),
}));

builder.mutationFields((t) => ({
  createLoan: t.field({
    type: CreateLoanPayload,
    description: 'Records an ACTIVE loan of a company. Needs an editor key.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: CreateLoanInput, required: true, description: 'The loan.' }) },
    resolve: async (_root, { input }, context) =>
      payload('loan', await writeForCompany(input, (named) => context.data.writes.createLoan(named, actorOf(context)))),
  }),
  repayLoan: t.field({
    type: RepayLoanPayload,
    description:
      'Records a repayment; with fundedBySale, also the BTC sale that paid for it, in one transaction. The loan becomes REPAID once repayments cover a known principal. Needs an editor key.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: RepayLoanInput, required: true, description: 'The repayment.' }) },
    resolve: async (_root, { input }, context) => {
      const loanId = localId(input.loanId, 'Loan');
      const result = loanId
        ? await context.data.writes.repayLoan({ ...input, loanId }, actorOf(context))
        : rejected(notFound(['input', 'loanId'], 'loan'));
      return result.ok
        ? { loan: result.value.loan, repayment: result.value.repayment, userErrors: [] }
        : { loan: null, repayment: null, userErrors: result.userErrors };
    },
  }),
}));
