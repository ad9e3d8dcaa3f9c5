import type { Kysely } from 'kysely';
import type { Actor, CompanyModel, CreateCompanyInput, WriteResult } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { insertCompany } from '../repositories/company.repository.js';
import { Problems } from './problems.js';
import { runWrite } from './transaction.js';

export async function createCompany(db: Kysely<Database>, input: CreateCompanyInput, actor: Actor): Promise<WriteResult<CompanyModel>> {
  const problems = new Problems();
  problems.text(['input', 'name'], input.name, { required: true });
  const ticker = problems.symbol(['input', 'ticker'], input.ticker);
  problems.text(['input', 'exchange'], input.exchange, { max: 50 });
  if (problems.any) return problems.result();
  return runWrite(
    db,
    async (trx) => {
      const company = await insertCompany(trx, {
        name: input.name.trim(),
        ticker,
        exchange: input.exchange?.trim() || null,
        businessLines: [...new Set(input.businessLines ?? [])],
        createdByApiKeyId: actor.apiKeyId,
      });
      return { value: company, change: { kind: 'company', companyId: company.id, record: 'company', ids: [company.id] } };
    },
    { duplicates: { companies_ticker_unique: `A company with ticker ${ticker} exists already.` } },
  );
}
