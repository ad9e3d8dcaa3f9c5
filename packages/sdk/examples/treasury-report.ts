/**
 * What a miner holds, what it is worth, the last three months of its treasury flows (with the
 * BTC the recorded flows do not explain) and its loans, every figure with its source.
 *
 *   treasury-report <TICKER> [URL] [--on YYYY-MM-DD]
 *
 * URL defaults to $MINERGRAPH_URL, then http://127.0.0.1:4000/graphql; --on to today (UTC).
 * In this repository: pnpm --filter @minergraph/sdk example:treasury-report CANG --on 2026-02-09
 */
import { parseArgs } from 'node:util';
import {
  createClient,
  MinerGraphError,
  type DecimalString,
  type SourceFieldsFragment,
  type TreasuryFlowFieldsFragment,
  type TreasuryReportQueryVariables,
} from '@minergraph/sdk';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { on: { type: 'string' } } });
const ticker = positionals[0] ?? 'CANG';
const url = positionals[1] ?? process.env.MINERGRAPH_URL ?? 'http://127.0.0.1:4000/graphql';
const on = values.on ?? new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) {
  console.error(`--on must be a day, YYYY-MM-DD; got ${on}`);
  process.exit(2);
}

/** The month of `on` up to `on`, and the two whole months before it, oldest first. */
function lastThreeMonths(day: string): Pick<TreasuryReportQueryVariables, `month${1 | 2 | 3}${'From' | 'To'}`> {
  const [year, month] = day.split('-').map(Number) as [number, number];
  const iso = (date: Date) => date.toISOString().slice(0, 10);
  const start = (back: number) => iso(new Date(Date.UTC(year, month - 1 - back, 1)));
  const end = (back: number) => iso(new Date(Date.UTC(year, month - back, 0)));
  return {
    month1From: start(2),
    month1To: end(2),
    month2From: start(1),
    month2To: end(1),
    month3From: start(0),
    month3To: day,
  };
}

/** 3023.6 -> "3,023.6" without ever making it a float. */
function grouped(value: DecimalString): string {
  const [whole = '', fraction] = value.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+$)/g, ',');
  return `${sign}${digits}${fraction ? `.${fraction}` : ''}`;
}

function cited(source: SourceFieldsFragment | null): string {
  if (!source) return 'source: none recorded';
  const where = [source.publisher, source.publishedOn, source.url].filter(Boolean).join(', ');
  // The sentence that states the figure, verbatim, where the source quotes one.
  return `source: ${source.title}${where ? ` (${where})` : ''}${source.quote ? `: "${source.quote}"` : ''}`;
}

function flowLine(flow: TreasuryFlowFieldsFragment): string {
  const cells = [flow.openingBtc, flow.minedBtc, flow.purchasedBtc, flow.soldBtc, flow.otherBtc, flow.closingBtc, flow.unexplainedBtc];
  return `  ${flow.from} to ${flow.to}  ${cells.map((cell) => grouped(cell).padStart(12)).join('')}`;
}

const client = createClient({ url });
try {
  const { company, btc } = await client.treasuryReport({ ticker, on, endOfDay: `${on}T23:59:59.999Z`, ...lastThreeMonths(on) });
  if (!company) {
    console.error(`No company with ticker ${ticker} at ${url}.`);
    process.exit(1);
  }
  const { holdings } = company;
  console.log(`${company.name} (${company.ticker}${company.exchange ? `, ${company.exchange}` : ''}) on ${on}`);
  console.log('');
  console.log(`Holdings: ${grouped(holdings.btc)} BTC, ${grouped(holdings.pledgedBtc)} BTC of it pledged as collateral`);
  console.log(
    holdings.anchor
      ? `  reported ${grouped(holdings.anchor.btc)} BTC on ${holdings.anchor.on}, plus the recorded flows since; ${cited(holdings.anchor.source)}`
      : '  the sum of recorded flows: no reported figure yet',
  );
  if (holdings.valueUsd && holdings.btcPriceUsd) {
    console.log(`Value: ${grouped(holdings.valueUsd)} USD at ${grouped(holdings.btcPriceUsd)} USD per BTC`);
    if (btc?.priceAt) console.log(`  BTC price observed ${btc.priceAt.at}; ${cited(btc.priceAt.source)}`);
  } else {
    console.log('Value: unknown, no BTC price on or before that day');
  }

  console.log('');
  console.log('Treasury flows (BTC)');
  const headings = ['opening', 'mined', 'bought', 'sold', 'other', 'closing', 'unexplained'];
  console.log(`  ${''.padEnd(24)}  ${headings.map((heading) => heading.padStart(12)).join('')}`);
  for (const flow of [company.month1, company.month2, company.month3]) console.log(flowLine(flow));
  console.log(
    '  unexplained = closing - opening - (mined + bought - sold + other): what reported holdings changed beyond the recorded flows',
  );
  console.log('');
  console.log('Recorded flows, newest first');
  for (const { node } of company.treasuryTransactions.edges) {
    const proceeds = node.usd
      ? ` for ${grouped(node.usd)} USD${node.averagePriceUsd ? ` (${grouped(node.averagePriceUsd)} USD per BTC)` : ''}`
      : '';
    console.log(`  ${node.occurredOn} ${node.kind} ${grouped(node.btc)} BTC${proceeds}; ${cited(node.source)}`);
  }

  console.log('');
  console.log('Loans');
  if (company.loans.length === 0) console.log('  none recorded');
  for (const loan of company.loans) {
    const principal = loan.principalUsd ? `${grouped(loan.principalUsd)} USD` : 'undisclosed';
    const outstanding = loan.outstandingUsd ? `${grouped(loan.outstandingUsd)} USD` : 'unknown';
    console.log(
      `  ${loan.lender ?? 'Undisclosed lender'}, ${loan.status}: principal ${principal}, repaid ${grouped(loan.repaidUsd)} USD, outstanding ${outstanding}`,
    );
    console.log(
      loan.marginCallPriceUsd
        ? `    margin call if BTC falls to ${grouped(loan.marginCallPriceUsd)} USD (LTV now ${loan.ltv === null ? 'unknown' : `${(loan.ltv * 100).toFixed(1)} %`})`
        : '    margin-call price: not computable (principal, collateral or threshold undisclosed)',
    );
    console.log(`    ${cited(loan.source)}`);
    for (const repayment of loan.repayments) {
      const funded = repayment.fundedBy ? `, funded by selling ${grouped(repayment.fundedBy.btc)} BTC` : '';
      console.log(`    repaid ${grouped(repayment.amountUsd)} USD on ${repayment.paidOn}${funded}; ${cited(repayment.source)}`);
    }
  }
} catch (error) {
  if (!(error instanceof MinerGraphError)) throw error;
  console.error(`${error.kind} error: ${error.message}`);
  process.exit(1);
}
