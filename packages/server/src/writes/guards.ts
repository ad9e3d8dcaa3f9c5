import { sql, type Kysely } from 'kysely';
import { BTC_LIMIT, Decimal, type NamedCompanyInput, type SourceInput, type UserErrorModel } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { insertSource } from '../repositories/source.repository.js';
import { quoteStates } from '../facts/quote-states.js';
import { holdingsOn } from '../repositories/treasury.repository.js';
import { type Problems, Rejection, userError } from './problems.js';

/**
 * Takes the company's row lock for the rest of the transaction, so two writes for one
 * company run one after the other and both see each other's flows in the holdings check.
 * Answers whether the company exists.
 */
export async function lockCompany(trx: Kysely<Database>, companyId: string): Promise<boolean> {
  const row = await trx.selectFrom('companies').select('id').where('id', '=', companyId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/** The company a write's input names, checked: by its id, or by its ticker in canonical (upper) case. */
export type NamedCompany = { id: string } | { ticker: string };

/**
 * Checks that the input names its company by exactly one of companyId and ticker, and that a
 * ticker is well-formed; answers how it names it, or null (and a problem).
 */
export function checkNamedCompany(problems: Problems, input: NamedCompanyInput): NamedCompany | null {
  const byId = input.companyId !== null && input.companyId !== undefined;
  const byTicker = input.ticker !== null && input.ticker !== undefined;
  if (byId && byTicker) {
    problems.add(['input'], 'Name the company by companyId or by ticker, not both.');
    return null;
  }
  if (byId) return { id: input.companyId! };
  if (!byTicker) {
    problems.add(['input'], 'Name the company: companyId or ticker is required.');
    return null;
  }
  const before = problems.errors.length;
  const ticker = problems.symbol(['input', 'ticker'], input.ticker!);
  return problems.errors.length === before ? { ticker } : null;
}

/**
 * lockCompany for a write whose input names the company, by id or by ticker: answers its id;
 * an unknown one rolls the write back with NOT_FOUND on the field that named it. The one place
 * a ticker becomes a company.
 */
export async function lockNamedCompany(trx: Kysely<Database>, company: NamedCompany): Promise<string> {
  if ('id' in company) {
    if (!(await lockCompany(trx, company.id)))
      throw new Rejection([userError(['input', 'companyId'], 'NOT_FOUND', 'No company has this id.')]);
    return company.id;
  }
  const row = await trx.selectFrom('companies').select('id').where('ticker', '=', company.ticker).forUpdate().executeTakeFirst();
  if (!row) throw new Rejection([userError(['input', 'ticker'], 'NOT_FOUND', `No company has the ticker ${company.ticker}.`)]);
  return row.id;
}

/**
 * Holdings can only change on a day with a flow or a report. After a write dated `from`,
 * check every such day from `from` on: none may end below zero (INSUFFICIENT_HOLDINGS), nor
 * above the 21,000,000 BTC that will ever exist (VALIDATION_FAILED), which also keeps every
 * figure derived from holdings (value, percent of supply) within what reads can compute.
 */
export async function holdingsOutOfRange(trx: Kysely<Database>, companyId: string, from: string): Promise<UserErrorModel | null> {
  const { rows } = await sql<{ day: string }>`
    select ${from}::date::text as day
    union select occurred_on::text from treasury_transactions where company_id = ${companyId}::bigint and occurred_on >= ${from}::date
    union select reported_on::text from holdings_reports where company_id = ${companyId}::bigint and reported_on >= ${from}::date
    order by day`.execute(trx);
  const balances = await holdingsOn(
    trx,
    rows.map((row) => ({ companyId, on: row.day })),
  );
  const negative = balances.find((balance) => new Decimal(balance.btc).lt(0));
  if (negative) {
    return userError(
      null,
      'INSUFFICIENT_HOLDINGS',
      `This would leave holdings at ${new Decimal(negative.btc).toFixed()} BTC at the end of ${negative.on}; holdings can never go below 0.`,
    );
  }
  const excess = balances.find((balance) => new Decimal(balance.btc).gt(BTC_LIMIT.max!.value));
  if (excess) {
    return userError(
      null,
      'VALIDATION_FAILED',
      `This would leave holdings at ${new Decimal(excess.btc).toFixed()} BTC at the end of ${excess.on}, more than the ${BTC_LIMIT.max!.text} that will ever exist.`,
    );
  }
  return null;
}

/**
 * Checks a source; answers it as it is to be stored (title trimmed, URL normalised). With
 * `required`, a write without one is refused: every fact carries its source. A quote, when
 * given, must print `states` (the write's number) in one of the usual ways (quoteStates).
 */
export function checkSource(
  problems: Problems,
  field: string[],
  source: SourceInput | null | undefined,
  options: { required?: boolean; states?: { field: string; value: string | null | undefined } } = {},
): SourceInput | null {
  if (!source) {
    if (options.required) problems.add(field, 'source is required: every fact carries where it was published.');
    return null;
  }
  problems.text([...field, 'title'], source.title, { required: true, max: 500 });
  const url = problems.url([...field, 'url'], source.url);
  problems.text([...field, 'publisher'], source.publisher, { max: 200 });
  problems.text([...field, 'quote'], source.quote, { max: 2000 });
  const stated = options.states;
  if (source.quote != null && stated?.value != null && isDecimalText(stated.value) && !quoteStates(source.quote, stated.value)) {
    problems.add([...field, 'quote'], `The quote does not state ${stated.field} (${stated.value}).`);
  }
  return { ...source, title: source.title.trim(), url };
}

function isDecimalText(value: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(value);
}

export async function recordSource(trx: Kysely<Database>, source: SourceInput | null, apiKeyId: string | null): Promise<string | null> {
  if (!source) return null;
  return insertSource(trx, {
    title: source.title,
    url: source.url ?? null,
    publisher: source.publisher ?? null,
    published_on: source.publishedOn ?? null,
    quote: source.quote ?? null,
    as_of: source.asOf ?? null,
    created_by_api_key_id: apiKeyId,
  });
}
