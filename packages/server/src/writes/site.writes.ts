import type { Kysely } from 'kysely';
import { HASHRATE_LIMIT, POWER_LIMIT, type Actor, type CreateSiteInput, type SiteModel, type WriteResult } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { insertSite } from '../repositories/site.repository.js';
import { checkNamedCompany, lockNamedCompany } from './named-company.js';
import { Problems } from './problems.js';
import { checkSource, recordSource } from './source.js';
import { runWrite } from './transaction.js';

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
  return runWrite(
    db,
    async (trx) => {
      const companyId = await lockNamedCompany(trx, company);
      const site = await insertSite(trx, {
        companyId,
        name: input.name.trim(),
        region: input.region.trim(),
        country: input.country?.trim() || null,
        status: input.status,
        purpose: input.purpose,
        powerCapacityMw: input.powerCapacityMw ?? null,
        hashrateEh: input.hashrateEh ?? null,
        gridConnected: input.gridConnected ?? null,
        commissionedOn: input.commissionedOn ?? null,
        sourceId: await recordSource(trx, source, actor.apiKeyId),
        createdByApiKeyId: actor.apiKeyId,
      });
      return { value: site, change: { kind: 'company', companyId, record: 'site', ids: [site.id] } };
    },
    { duplicates: { sites_company_name_unique: `This company already has a site named "${input.name.trim()}".` } },
  );
}
