import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { aLoan, aRepayment, aTreasuryTransaction, engine, keyHeaders, snapshot, useTestServer } from '@minergraph/test-support';

/** Every fact written through the API carries its source (issue 12); these tests are about other things. */
const SRC = { title: 'A test source' };

let headers: Record<string, string>;

const served = useTestServer();

beforeAll(async () => {
  headers = (await keyHeaders(served.database, 'editor')).headers;
});

const RECORD = `mutation ($input: RecordTreasuryTransactionInput!) { recordTreasuryTransaction(input: $input) {
  transaction { id kind btc occurredOn balanceAfterBtc } userErrors { field message code } } }`;

async function newCompany(ticker: string): Promise<string> {
  const data = await served.server.query(
    `mutation ($ticker: String!) { createCompany(input: { name: "Integrity Test", ticker: $ticker, businessLines: [BITCOIN_MINING] }) { company { id } userErrors { message } } }`,
    { ticker },
    headers,
  );
  return data.createCompany.company.id;
}

const record = (input: Record<string, unknown>) => served.server.graphql(RECORD, { input }, headers);

async function holdings(ticker: string, on: string): Promise<string> {
  const data = await served.server.query('query ($t: String!, $on: Date) { company(ticker: $t) { holdings(on: $on) { btc } } }', {
    t: ticker,
    on,
  });
  return data.company.holdings.btc;
}

describe('holdings never go below zero', () => {
  it('a sale of more than is held is refused and records nothing', async () => {
    const companyId = await newCompany('TSTH');
    await record(aTreasuryTransaction({ companyId, kind: 'MINED', btc: '10', occurredOn: '2026-03-01' }));
    const before = await snapshot(served.database);
    const { data } = await record(aTreasuryTransaction({ companyId, kind: 'SOLD', btc: '10.00000001', occurredOn: '2026-03-02' }));
    expect(data.recordTreasuryTransaction).toEqual({
      transaction: null,
      userErrors: [
        {
          field: ['input', 'btc'],
          code: 'INSUFFICIENT_HOLDINGS',
          message: 'This would leave holdings at -0.00000001 BTC at the end of 2026-03-02; holdings can never go below 0.',
        },
      ],
    });
    expect(await snapshot(served.database)).toEqual(before);
    const exact = await record(aTreasuryTransaction({ companyId, kind: 'SOLD', btc: '10', occurredOn: '2026-03-02' }));
    expect(exact.data.recordTreasuryTransaction.transaction).toMatchObject({ btc: '10', balanceAfterBtc: '0' });
  });

  it('a backdated outflow that would push a later day negative is refused', async () => {
    const companyId = await newCompany('TSTI');
    await record(aTreasuryTransaction({ companyId, kind: 'PURCHASED', btc: '5', occurredOn: '2026-03-01' }));
    await record(aTreasuryTransaction({ companyId, kind: 'SOLD', btc: '5', occurredOn: '2026-03-10' }));
    // On 03-05 there are 5 BTC, but the sale on 03-10 already spends them.
    const { data } = await record(aTreasuryTransaction({ companyId, kind: 'OTHER', btc: '-1', occurredOn: '2026-03-05' }));
    expect(data.recordTreasuryTransaction.userErrors).toEqual([
      {
        field: ['input', 'btc'],
        code: 'INSUFFICIENT_HOLDINGS',
        message: 'This would leave holdings at -1 BTC at the end of 2026-03-10; holdings can never go below 0.',
      },
    ]);
    expect(await holdings('TSTI', '2026-03-10')).toBe('0');
  });

  // PGlite has one connection and runs them one by one; PostgreSQL runs them at once.
  it(`20 concurrent sales that exceed the holdings: exactly the ones that fit succeed (${engine})`, async () => {
    const companyId = await newCompany('TSTC');
    await record(aTreasuryTransaction({ companyId, kind: 'MINED', btc: '10', occurredOn: '2026-03-01' }));
    const results = await Promise.all(
      Array.from({ length: 20 }, () => record(aTreasuryTransaction({ companyId, kind: 'SOLD', btc: '0.75', occurredOn: '2026-03-02' }))),
    );
    const succeeded = results.filter((r) => r.data.recordTreasuryTransaction.transaction !== null);
    const refusedCodes = results.flatMap((r) => r.data.recordTreasuryTransaction.userErrors.map((e: any) => e.code));
    // 10 / 0.75 = 13.33: thirteen sales fit.
    expect(succeeded).toHaveLength(13);
    expect(refusedCodes).toEqual(Array.from({ length: 7 }, () => 'INSUFFICIENT_HOLDINGS'));
    expect(await holdings('TSTC', '2026-03-02')).toBe('0.25');
    const { rows } = await sql<{ sales: number }>`
      select count(*)::int as sales from treasury_transactions t
      where t.company_id = ${Buffer.from(companyId, 'base64').toString().split(':')[1]}::bigint and t.kind = 'SOLD'`.execute(
      served.database.db,
    );
    expect(rows[0]!.sales).toBe(13);
  });
});

describe('multi-part writes are atomic', () => {
  const REPAY = `mutation ($input: RepayLoanInput!) { repayLoan(input: $input) {
    loan { repaidUsd outstandingUsd collateralBtc status }
    repayment { amountUsd paidOn collateralReleasedBtc fundedBy { kind btc usd occurredOn averagePriceUsd } }
    userErrors { field message code } } }`;

  async function loanFor(ticker: string) {
    const companyId = await newCompany(ticker);
    await record(aTreasuryTransaction({ companyId, kind: 'MINED', btc: '100', occurredOn: '2026-01-01' }));
    const data = await served.server.query(
      `mutation ($input: CreateLoanInput!) { createLoan(input: $input) { loan { id collateralBtc } userErrors { message } } }`,
      {
        input: aLoan({ companyId, collateralBtc: '40', marginCallLtv: 0.7, liquidationLtv: 0.8, originatedOn: '2026-01-02' }),
      },
      headers,
    );
    return data.createLoan.loan.id as string;
  }

  it('repayLoan with fundedBySale writes the sale, the repayment and the collateral release, linked', async () => {
    const loanId = await loanFor('TSTR');
    const data = await served.server.query(
      REPAY,
      {
        input: aRepayment({
          loanId,
          amountUsd: '1000000',
          paidOn: '2026-02-01',
          collateralReleasedBtc: '40',
          fundedBySale: { btc: '12', usd: '1000000' },
        }),
      },
      headers,
    );
    expect(data.repayLoan).toEqual({
      loan: { repaidUsd: '1000000', outstandingUsd: '0', collateralBtc: '0', status: 'REPAID' },
      repayment: {
        amountUsd: '1000000',
        paidOn: '2026-02-01',
        collateralReleasedBtc: '40',
        fundedBy: { kind: 'SOLD', btc: '12', usd: '1000000', occurredOn: '2026-02-01', averagePriceUsd: '83333.33333333' },
      },
      userErrors: [],
    });
    expect(await holdings('TSTR', '2026-02-01')).toBe('88');
  });

  it('when the repayment cannot be written, the sale that funds it is not kept either', async () => {
    const loanId = await loanFor('TSTF');
    // The second part of the write fails inside the database, after the sale was inserted.
    await sql`create function refuse_repayments() returns trigger language plpgsql as $$
      begin raise exception 'repayments are switched off for this test'; end $$`.execute(served.database.db);
    await sql`create trigger refuse_repayments before insert on loan_repayments for each row execute function refuse_repayments()`.execute(
      served.database.db,
    );
    try {
      const before = await snapshot(served.database);
      const { data, errors } = await served.server.graphql(
        REPAY,
        { input: aRepayment({ loanId, amountUsd: '500000', paidOn: '2026-02-01', fundedBySale: { btc: '6', usd: '500000' } }) },
        headers,
      );
      expect(data).toBeNull();
      expect(errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(errors)).not.toContain('repayments are switched off');
      expect(await snapshot(served.database)).toEqual(before);
      expect(await holdings('TSTF', '2026-02-01')).toBe('100');
    } finally {
      await sql`drop trigger refuse_repayments on loan_repayments`.execute(served.database.db);
      await sql`drop function refuse_repayments()`.execute(served.database.db);
    }
  });

  it('recordProductionReport writes the report, its MINED and SOLD flows and its held anchor, linked to it', async () => {
    const companyId = await newCompany('TSTM');
    const data = await served.server.query(
      `mutation ($input: RecordProductionReportInput!) { recordProductionReport(input: $input) {
        report { id periodEnd minedBtc soldBtc heldBtc btcPerDay source { title url } } userErrors { message } } }`,
      {
        input: {
          companyId,
          periodStart: '2026-02-01',
          periodEnd: '2026-02-28',
          minedBtc: '28',
          soldBtc: '8',
          soldUsd: '560000',
          heldBtc: '19.5',
          source: { title: 'February update', url: 'https://example.com/feb' },
        },
      },
      headers,
    );
    expect(data.recordProductionReport.report).toMatchObject({
      periodEnd: '2026-02-28',
      minedBtc: '28',
      soldBtc: '8',
      heldBtc: '19.5',
      btcPerDay: '1',
      source: { title: 'February update', url: 'https://example.com/feb' },
    });
    const flows = await served.server.graphql(`{ company(ticker: "TSTM") {
      treasuryTransactions { edges { node { kind btc usd occurredOn source { title } } } }
      holdings(on: "2026-02-28") { btc anchor { on btc source { title } } }
      treasuryFlow(from: "2026-02-01", to: "2026-02-28") { minedBtc soldBtc unexplainedBtc }
    } }`);
    expect(flows.data.company).toEqual({
      treasuryTransactions: {
        edges: [
          { node: { kind: 'SOLD', btc: '8', usd: '560000', occurredOn: '2026-02-28', source: { title: 'February update' } } },
          { node: { kind: 'MINED', btc: '28', usd: null, occurredOn: '2026-02-28', source: { title: 'February update' } } },
        ],
      },
      holdings: { btc: '19.5', anchor: { on: '2026-02-28', btc: '19.5', source: { title: 'February update' } } },
      treasuryFlow: { minedBtc: '28', soldBtc: '8', unexplainedBtc: '-0.5' },
    });
  });
});

describe('idempotency keys', () => {
  it('a retry with the same key and input returns the first result and records nothing new', async () => {
    const companyId = await newCompany('TSTK');
    const input = aTreasuryTransaction({
      companyId,
      kind: 'MINED',
      btc: '3',
      occurredOn: '2026-03-01',
      idempotencyKey: 'mined-2026-03-01',
    });
    const first = await record(input);
    const before = await snapshot(served.database);
    const retry = await record(input);
    expect(retry.data).toEqual(first.data);
    expect(await snapshot(served.database)).toEqual(before);
  });

  it('the same key with another input is refused', async () => {
    const companyId = await newCompany('TSTJ');
    await record(aTreasuryTransaction({ companyId, kind: 'MINED', btc: '3', occurredOn: '2026-03-01', idempotencyKey: 'tstj-1' }));
    const { data } = await record(
      aTreasuryTransaction({ companyId, kind: 'MINED', btc: '4', occurredOn: '2026-03-01', idempotencyKey: 'tstj-1' }),
    );
    expect(data.recordTreasuryTransaction).toEqual({
      transaction: null,
      userErrors: [
        {
          field: ['input', 'idempotencyKey'],
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: 'This idempotency key was already used with a different input.',
        },
      ],
    });
  });

  it("are each API key's own: another key with the same string records its own flow", async () => {
    const companyId = await newCompany('TSTO');
    const input = aTreasuryTransaction({ companyId, kind: 'MINED', btc: '1', occurredOn: '2026-03-01', idempotencyKey: 'shared-string' });
    const mine = await record(input);
    const other = (await keyHeaders(served.database, 'editor')).headers;
    const theirs = await served.server.graphql(RECORD, { input }, other);
    expect(theirs.data.recordTreasuryTransaction.transaction.id).not.toBe(mine.data.recordTreasuryTransaction.transaction.id);
    expect(await holdings('TSTO', '2026-03-01')).toBe('2');
  });

  it('a repayLoan retry returns the loan as that repayment left it', async () => {
    const companyId = await newCompany('TSTQ');
    const data = await served.server.query(
      `mutation ($input: CreateLoanInput!) { createLoan(input: $input) { loan { id } } }`,
      { input: aLoan({ companyId, principalUsd: '1000', collateralBtc: '0' }) },
      headers,
    );
    const REPAY = `mutation ($input: RepayLoanInput!) { repayLoan(input: $input) { loan { repaidUsd } repayment { amountUsd } userErrors { code } } }`;
    const first = { source: SRC, loanId: data.createLoan.loan.id, amountUsd: '100', paidOn: '2026-03-01', idempotencyKey: 'tstq-1' };
    const answer = await served.server.graphql(REPAY, { input: first }, headers);
    expect(answer.data.repayLoan).toEqual({ loan: { repaidUsd: '100' }, repayment: { amountUsd: '100' }, userErrors: [] });
    await served.server.graphql(REPAY, { input: { ...first, amountUsd: '200', idempotencyKey: 'tstq-2' } }, headers);
    expect((await served.server.graphql(REPAY, { input: first }, headers)).data).toEqual(answer.data);
  });

  it('two racing requests with one key record one flow and both get its answer', async () => {
    const companyId = await newCompany('TSTG');
    const input = aTreasuryTransaction({ companyId, kind: 'MINED', btc: '2', occurredOn: '2026-03-01', idempotencyKey: 'tstg-race' });
    const results = await Promise.all(Array.from({ length: 5 }, () => record(input)));
    const ids = new Set(results.map((r) => r.data.recordTreasuryTransaction.transaction.id));
    expect(ids.size).toBe(1);
    expect(await holdings('TSTG', '2026-03-01')).toBe('2');
  });
});
