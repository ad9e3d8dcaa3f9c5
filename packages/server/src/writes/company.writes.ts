import type { Kysely } from 'kysely';
import {
  HASHRATE_LIMIT,
  POWER_LIMIT,
  type Actor,
  type CompanyModel,
  type CreateCompanyInput,
  type CreateSiteInput,
  type SiteModel,
  type WriteResult,
} from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { insertCompany } from '../repositories/company.repository.js';
import { toSite } from '../repositories/site.repository.js';
import { checkNamedCompany, checkSource, lockNamedCompany, recordSource } from './guards.js';
import { runWrite } from './idempotency.js';
import { isUniqueViolation, Problems, userError } from './problems.js';

export async function createCompany(db: Kysely<Database>, input: CreateCompanyInput, actor: Actor): Promise<WriteResult<CompanyModel>> {
  const problems = new Problems();
  problems.text(['input', 'name'], input.name, { required: true });
  const ticker = problems.symbol(['input', 'ticker'], input.ticker);
  problems.text(['input', 'exchange'], input.exchange, { max: 50 });
  if (problems.any) return problems.result();
  try {
    return await runWrite(db, {
      operation: 'createCompany',
      actor,
      key: null,
      input,
      work: async (trx) => {
        const company = await insertCompany(trx, {
          name: input.name.trim(),
          ticker,
          exchange: input.exchange?.trim() || null,
          businessLines: [...new Set(input.businessLines ?? [])],
          createdByApiKeyId: actor.apiKeyId,
        });
        return {
          value: company,
          ref: company.id,
          change: { kind: 'company', companyId: company.id, record: 'company', ids: [company.id] },
        };
      },
    });
  } catch (error) {
    if (isUniqueViolation(error, 'companies_ticker_key')) {
      return {
        ok: false,
        userErrors: [userError(['input', 'ticker'], 'ALREADY_EXISTS', `A company with ticker ${ticker} exists already.`)],
      };
    }
    throw error;
  }
}

export async function createSite(db: Kysely<Database>, input: CreateSiteInput, actor: Actor): Promise<WriteResult<SiteModel>> {
  const problems = new Problems();
  const company = checkNamedCompany(problems, input);
  problems.text(['input', 'name'], input.name, { required: true });
  problems.text(['input', 'region'], input.region, { required: true, max: 100 });
  problems.text(['input', 'country'], input.country, { max: 100 });
  problems.decimal(['input', 'powerCapacityMw'], input.powerCapacityMw, POWER_LIMIT, 'non-negative');
  problems.decimal(['input', 'hashrateEh'], input.hashrateEh, HASHRATE_LIMIT, 'non-negative');
  const source = checkSource(problems, ['input', 'source'], input.source, {
    required: true,
    states: { field: 'powerCapacityMw', value: input.powerCapacityMw },
  });
  if (problems.any || !company) return problems.result();
  try {
    return await runWrite(db, {
      operation: 'createSite',
      actor,
      key: null,
      input,
      work: async (trx) => {
        const companyId = await lockNamedCompany(trx, company);
        const sourceId = await recordSource(trx, source, actor.apiKeyId);
        const row = await trx
          .insertInto('sites')
          .values({
            company_id: companyId,
            name: input.name.trim(),
            region: input.region.trim(),
            country: input.country?.trim() || null,
            status: input.status,
            purpose: input.purpose,
            power_capacity_mw: input.powerCapacityMw ?? null,
            hashrate_eh: input.hashrateEh ?? null,
            grid_connected: input.gridConnected ?? null,
            commissioned_on: input.commissionedOn ?? null,
            source_id: sourceId,
            created_by_api_key_id: actor.apiKeyId,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { value: toSite(row), ref: row.id, change: { kind: 'company', companyId, record: 'site', ids: [row.id] } };
      },
    });
  } catch (error) {
    if (isUniqueViolation(error, 'sites_company_name_key')) {
      return {
        ok: false,
        userErrors: [userError(['input', 'name'], 'ALREADY_EXISTS', `This company already has a site named "${input.name.trim()}".`)],
      };
    }
    throw error;
  }
}
