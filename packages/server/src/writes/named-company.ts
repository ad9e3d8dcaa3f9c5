import type { Kysely } from 'kysely';
import { notFound, type NamedCompanyInput } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { lockCompanyById, lockCompanyByTicker } from '../repositories/company.repository.js';
import { type Problems, userError } from './problems.js';
import { Rejection } from './transaction.js';

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
 * Takes the row lock of the company the input names, by id or by ticker, for the rest of the
 * transaction (lockCompanyById), and answers its id; an unknown one rolls the write back with
 * NOT_FOUND on the field that named it. The one place a ticker becomes a company.
 */
export async function lockNamedCompany(trx: Kysely<Database>, company: NamedCompany): Promise<string> {
  if ('id' in company) {
    const id = await lockCompanyById(trx, company.id);
    if (id === null) throw new Rejection([notFound(['input', 'companyId'], 'company')]);
    return id;
  }
  const id = await lockCompanyByTicker(trx, company.ticker);
  if (id === null) throw new Rejection([userError(['input', 'ticker'], 'NOT_FOUND', `No company has the ticker ${company.ticker}.`)]);
  return id;
}
