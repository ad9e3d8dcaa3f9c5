import { beforeAll, describe, expect, it } from 'vitest';
import { insertCompany } from '../src/repositories/company.repository.js';
import { insertLoan, insertRepayment, settleLoanStatus, type NewLoan } from '../src/repositories/loan.repository.js';
import { useTestServer } from '@minergraph/test-support';

const LOAN_FIELDS = `lender principalUsd repaidUsd outstandingUsd collateralBtc collateralDisclosed originatedOn maturesOn
  interestRatePercent status marginCallLtv liquidationLtv ltv marginCallPriceUsd liquidationPriceUsd
  repayments { amountUsd paidOn collateralReleasedBtc fundedBy { id } }`;

const served = useTestServer();

beforeAll(async () => {
  const companyId = (await insertCompany(served.database.db, { name: 'Loan Test Mining', ticker: 'TSTL' })).id;
  const terms: Omit<NewLoan, 'principalUsd' | 'collateralBtc' | 'originatedOn'> = {
    companyId,
    lender: 'Test Lender',
    maturesOn: '2027-01-15',
    interestRatePercent: 11.5,
    marginCallLtv: 0.7,
    liquidationLtv: 0.8,
    sourceId: null,
  };
  const active = await insertLoan(served.database.db, {
    ...terms,
    principalUsd: '1000000',
    collateralBtc: '30',
    originatedOn: '2026-01-15',
  });
  await insertRepayment(served.database.db, {
    loanId: active,
    amountUsd: '200000',
    paidOn: '2026-02-01',
    collateralReleasedBtc: '5',
    fundedByTransactionId: null,
    sourceId: null,
  });
  const repaid = await insertLoan(served.database.db, { ...terms, principalUsd: '100000', collateralBtc: '2', originatedOn: '2026-01-20' });
  await insertRepayment(served.database.db, {
    loanId: repaid,
    amountUsd: '100000',
    paidOn: '2026-02-15',
    collateralReleasedBtc: '2',
    fundedByTransactionId: null,
    sourceId: null,
  });
  await settleLoanStatus(served.database.db, repaid);
});

describe('a Bitcoin-backed loan', () => {
  it('shows what is repaid and outstanding, its LTV at the latest BTC close, and the prices that trigger a margin call and liquidation', async () => {
    const { data, errors } = await served.server.graphql(`{ company(ticker: "TSTL") { loans(status: ACTIVE) { ${LOAN_FIELDS} } } }`);
    expect(errors).toBeUndefined();
    expect(data.company.loans).toEqual([
      {
        lender: 'Test Lender',
        principalUsd: '1000000',
        repaidUsd: '200000',
        outstandingUsd: '800000',
        collateralBtc: '25',
        collateralDisclosed: true,
        originatedOn: '2026-01-15',
        maturesOn: '2027-01-15',
        interestRatePercent: 11.5,
        status: 'ACTIVE',
        marginCallLtv: 0.7,
        liquidationLtv: 0.8,
        // 800000 / (25 × 70727) = 0.4524439040…, half-up at 8 places
        ltv: 0.4524439,
        // 800000 / (25 × 0.7), half-up at 8 places
        marginCallPriceUsd: '45714.28571429',
        liquidationPriceUsd: '40000',
        repayments: [{ amountUsd: '200000', paidOn: '2026-02-01', collateralReleasedBtc: '5', fundedBy: null }],
      },
    ]);
  });

  it('answers "what if BTC fell to 40,000?" with the LTV at that price', async () => {
    const data = await served.server.query(`{ company(ticker: "TSTL") { loans(status: ACTIVE) { ltv(btcPriceUsd: "40000") } } }`);
    expect(data.company.loans).toEqual([{ ltv: 0.8 }]);
  });

  it('becomes REPAID once repayments cover the principal, and is filtered by status', async () => {
    const data = await served.server.query(`{ company(ticker: "TSTL") {
      repaid: loans(status: REPAID) { principalUsd outstandingUsd collateralBtc status ltv }
      all: loans { status }
    } }`);
    expect(data.company.repaid).toEqual([{ principalUsd: '100000', outstandingUsd: '0', collateralBtc: '0', status: 'REPAID', ltv: null }]);
    expect(data.company.all).toEqual([{ status: 'ACTIVE' }, { status: 'REPAID' }]);
  });

  it('counts collateral as pledged only while a loan is active at the end of the day', async () => {
    const pledged = async (on: string) => {
      const data = await served.server.query(`query ($on: Date) { company(ticker: "TSTL") { holdings(on: $on) { pledgedBtc } } }`, {
        on,
      });
      return data.company.holdings.pledgedBtc;
    };
    expect(await pledged('2026-01-10')).toBe('0');
    expect(await pledged('2026-01-16')).toBe('30');
    expect(await pledged('2026-01-25')).toBe('32');
    expect(await pledged('2026-02-01')).toBe('27');
    expect(await pledged('2026-02-15')).toBe('25');
  });

  it("has no LTV or trigger prices when the principal was never disclosed (Cango's loan)", async () => {
    const data = await served.server.query(
      `{ company(ticker: "CANG") { loans { principalUsd outstandingUsd ltv(btcPriceUsd: "70000") marginCallPriceUsd liquidationPriceUsd } } }`,
    );
    expect(data.company.loans).toEqual([
      { principalUsd: null, outstandingUsd: null, ltv: null, marginCallPriceUsd: null, liquidationPriceUsd: null },
    ]);
  });
});
