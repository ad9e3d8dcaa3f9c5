/**
 * Records a month's production update as the company published it. Needs an API key with the
 * editor role in $MINERGRAPH_API_KEY. Every fact carries where it was published: --source-title
 * is required, and --quote takes the page's sentence stating the figures, verbatim. Refusals (a
 * malformed figure, an unknown company, a duplicate) come back as userErrors and are printed;
 * nothing is written then.
 *
 *   record-production <TICKER> <YYYY-MM> --mined <BTC> --source-title <title> [--source-url <url>]
 *     [--publisher <name>] [--quote <sentence>] [--sold <BTC> --sold-usd <USD>] [--held <BTC>]
 *     [--operating-eh <EH/s>] [--deployed-eh <EH/s>] [--url <URL>]
 *
 * URL defaults to $MINERGRAPH_URL, then http://127.0.0.1:4000/graphql. Decimals stay strings
 * from the command line to the database. In this repository:
 *   MINERGRAPH_API_KEY=... pnpm --filter @minergraph/sdk example:record-production CANG 2026-04 --mined <BTC> --held <BTC> \
 *     --source-title '<title>' --source-url <url> --quote '<the sentence stating them>'
 */
import { parseArgs } from 'node:util';
import { createClient, MinerGraphError, type RecordProductionReportInput } from '@minergraph/sdk';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    mined: { type: 'string' },
    sold: { type: 'string' },
    'sold-usd': { type: 'string' },
    held: { type: 'string' },
    'operating-eh': { type: 'string' },
    'deployed-eh': { type: 'string' },
    'source-title': { type: 'string' },
    'source-url': { type: 'string' },
    publisher: { type: 'string' },
    quote: { type: 'string' },
    url: { type: 'string' },
  },
});
const [ticker, month] = positionals;
const apiKey = process.env.MINERGRAPH_API_KEY;
if (!ticker || !month || !/^\d{4}-\d{2}$/.test(month) || !values.mined || !values['source-title']) {
  console.error(
    'usage: record-production <TICKER> <YYYY-MM> --mined <BTC> --source-title <title> [--source-url <url>] [--quote <sentence>] ...',
  );
  process.exit(2);
}
if (!apiKey) {
  console.error('Set MINERGRAPH_API_KEY to an API key with the editor role.');
  process.exit(2);
}

const [year, monthNumber] = month.split('-').map(Number) as [number, number];
const periodEnd = new Date(Date.UTC(year, monthNumber, 0)).toISOString().slice(0, 10);
const client = createClient({ url: values.url ?? process.env.MINERGRAPH_URL ?? 'http://127.0.0.1:4000/graphql', apiKey });

try {
  const { companies } = await client.companies({ filter: { tickers: [ticker] }, first: 1 });
  const company = companies.edges[0]?.node;
  if (!company) {
    console.error(`No company with ticker ${ticker}.`);
    process.exit(1);
  }
  const input: RecordProductionReportInput = {
    companyId: company.id,
    periodStart: `${month}-01`,
    periodEnd,
    minedBtc: values.mined,
    soldBtc: values.sold ?? null,
    soldUsd: values['sold-usd'] ?? null,
    heldBtc: values.held ?? null,
    operatingHashrateEh: values['operating-eh'] ?? null,
    deployedHashrateEh: values['deployed-eh'] ?? null,
    source: {
      title: values['source-title'],
      url: values['source-url'] ?? null,
      publisher: values.publisher ?? null,
      quote: values.quote ?? null,
    },
    // Running the script again for the same month returns the first result instead of a duplicate.
    idempotencyKey: `production-report:${company.ticker}:${month}`,
  };
  const { recordProductionReport } = await client.recordProductionReport({ input });
  if (recordProductionReport.userErrors.length > 0) {
    console.error(`${company.name}'s ${month} report was not recorded:`);
    for (const { code, field, message } of recordProductionReport.userErrors) {
      console.error(`  ${code}${field ? ` at ${field.join('.')}` : ''}: ${message}`);
    }
    process.exit(1);
  }
  const { report } = recordProductionReport;
  if (!report) throw new Error('The server neither recorded the report nor said why.');
  console.log(`Recorded ${company.name}'s production from ${report.periodStart} to ${report.periodEnd} (id ${report.id}):`);
  console.log(
    `  mined ${report.minedBtc} BTC, ${report.btcPerDay} BTC per day${report.btcPerEhPerDay ? `, ${report.btcPerEhPerDay} BTC per EH/s per day` : ''}`,
  );
  if (report.soldBtc) console.log(`  sold ${report.soldBtc} BTC${report.soldUsd ? ` for ${report.soldUsd} USD` : ''}`);
  if (report.heldBtc) console.log(`  held ${report.heldBtc} BTC at ${report.periodEnd}`);
} catch (error) {
  if (!(error instanceof MinerGraphError)) throw error;
  // UNAUTHENTICATED: the key is unknown or revoked; FORBIDDEN: it is read-only.
  console.error(`${error.kind} error${error.codes.length ? ` (${error.codes.join(', ')})` : ''}: ${error.message}`);
  process.exit(1);
}
