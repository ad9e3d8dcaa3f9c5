import type { Kysely } from 'kysely';
import {
  BTC_LIMIT,
  HASHRATE_LIMIT,
  USD_AMOUNT_LIMIT,
  type Actor,
  type ProductionReportModel,
  type RecordProductionReportInput,
  type WriteResult,
} from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { insertProductionReport, productionReportsByIds } from '../repositories/production.repository.js';
import { holdingsOutOfRange } from './holdings-invariant.js';
import { runIdempotentWrite } from './idempotency.js';
import { checkNamedCompany, lockNamedCompany } from './named-company.js';
import { Problems } from './problems.js';
import { checkSource, recordSource } from './source.js';
import { Rejection } from './transaction.js';

export async function recordProductionReport(
  db: Kysely<Database>,
  input: RecordProductionReportInput,
  actor: Actor,
): Promise<WriteResult<ProductionReportModel>> {
  const problems = new Problems();
  const company = checkNamedCompany(problems, input);
  problems.dayOrder([['input', 'periodStart'], input.periodStart], [['input', 'periodEnd'], input.periodEnd]);
  problems.decimal(['input', 'minedBtc'], input.minedBtc, BTC_LIMIT, 'non-negative');
  problems.decimal(['input', 'soldBtc'], input.soldBtc, BTC_LIMIT, 'non-negative');
  problems.decimal(['input', 'soldUsd'], input.soldUsd, USD_AMOUNT_LIMIT, 'non-negative');
  problems.decimal(['input', 'heldBtc'], input.heldBtc, BTC_LIMIT, 'non-negative');
  problems.decimal(['input', 'deployedHashrateEh'], input.deployedHashrateEh, HASHRATE_LIMIT, 'non-negative');
  problems.decimal(['input', 'operatingHashrateEh'], input.operatingHashrateEh, HASHRATE_LIMIT, 'non-negative');
  if (input.soldUsd != null && input.soldBtc == null) problems.add(['input', 'soldBtc'], 'soldUsd needs the soldBtc it was paid for.');
  const source = checkSource(problems, ['input', 'source'], input.source, {
    required: true,
    states: { field: 'minedBtc', value: input.minedBtc },
  });
  if (problems.any || !company) return problems.result();

  const { idempotencyKey, ...request } = input;
  return runIdempotentWrite(
    db,
    {
      operation: 'recordProductionReport',
      actor,
      key: idempotencyKey,
      input: request,
      replay: async (id: string) => (await productionReportsByIds(db, [id]))[0]!,
    },
    async (trx) => {
      const companyId = await lockNamedCompany(trx, company);
      const report = await insertProductionReport(trx, {
        companyId,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        minedBtc: input.minedBtc,
        soldBtc: input.soldBtc ?? null,
        soldUsd: input.soldUsd ?? null,
        heldBtc: input.heldBtc ?? null,
        deployedHashrateEh: input.deployedHashrateEh ?? null,
        operatingHashrateEh: input.operatingHashrateEh ?? null,
        sourceId: await recordSource(trx, source, actor.apiKeyId),
        createdByApiKeyId: actor.apiKeyId,
      });
      const outOfRange = await holdingsOutOfRange(trx, companyId, input.periodEnd);
      if (outOfRange) {
        const cause = outOfRange.code === 'INSUFFICIENT_HOLDINGS' ? 'soldBtc' : 'minedBtc';
        throw new Rejection([{ ...outOfRange, field: ['input', input.heldBtc == null ? cause : 'heldBtc'] }]);
      }
      return { value: report, ref: report.id, change: { kind: 'company', companyId, record: 'productionReport', ids: [report.id] } };
    },
    {
      duplicates: {
        production_reports_company_period_unique: `A production report for ${input.periodStart} to ${input.periodEnd} exists already.`,
        holdings_reports_company_day_unique: `A holdings figure for ${input.periodEnd} is recorded already.`,
      },
    },
  );
}
