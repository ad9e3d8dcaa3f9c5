import type {
  CreateCompanyInput,
  CreateLoanInput,
  RecordProductionReportInput,
  RecordTreasuryTransactionInput,
  RepayLoanInput,
  SourceInput,
} from '@minergraph/sdk';

// Inputs of the API's writes with defaults a reader can take for granted, so that a test
// spells out only what it is about. Every fact carries a source with a title, a page and a
// quote that prints the fact's number, as the API asks of a write; a test about sources
// passes its own.

/** The page every default source points at. */
export const TEST_SOURCE_URL = 'https://example.com/a-test-source';

/** A source as the API takes it: a title and a page, and whatever the test adds (a quote, a publisher, ...). */
export function aSource(overrides: Partial<SourceInput> = {}): SourceInput {
  return { title: 'A test source', url: TEST_SOURCE_URL, ...overrides };
}

/** A company as createCompany takes it: a miner with a test ticker. */
export function aCompany(overrides: Partial<CreateCompanyInput> = {}): CreateCompanyInput {
  return { name: 'Test Mining Inc.', ticker: 'TSTX', businessLines: ['BITCOIN_MINING'], ...overrides };
}

const VERBS: Record<string, string> = { MINED: 'mined', PURCHASED: 'bought', SOLD: 'sold', OTHER: 'moved' };

/** 1 BTC mined on 2026-03-01 by the company the test names (companyId or ticker), quoted by its source. */
export function aTreasuryTransaction(overrides: Partial<RecordTreasuryTransactionInput> = {}): RecordTreasuryTransactionInput {
  const transaction = { kind: 'MINED' as const, btc: '1', occurredOn: '2026-03-01', ...overrides };
  const verb = VERBS[transaction.kind] ?? 'moved';
  return {
    ...transaction,
    source: overrides.source ?? aSource({ quote: `The company ${verb} ${String(transaction.btc).replace(/^-/, '')} BTC.` }),
  };
}

/** April 2026's report of 400 BTC mined, quoted by its source. */
export function aProductionReport(overrides: Partial<RecordProductionReportInput> = {}): RecordProductionReportInput {
  const report = { periodStart: '2026-04-01', periodEnd: '2026-04-30', minedBtc: '400', ...overrides };
  return { ...report, source: overrides.source ?? aSource({ quote: `The company mined ${String(report.minedBtc)} BTC in the period.` }) };
}

/** A $1,000,000 loan against 20 BTC, with its source. */
export function aLoan(overrides: Partial<CreateLoanInput> = {}): CreateLoanInput {
  return { principalUsd: '1000000', collateralBtc: '20', source: aSource(), ...overrides };
}

/** A repayment of $1000 on 2026-03-01 of the loan the test names, quoted by its source. */
export function aRepayment(overrides: Partial<RepayLoanInput> & Pick<RepayLoanInput, 'loanId'>): RepayLoanInput {
  const repayment = { amountUsd: '1000', paidOn: '2026-03-01', ...overrides };
  return { ...repayment, source: overrides.source ?? aSource({ quote: `The company repaid $${String(repayment.amountUsd)}.` }) };
}
