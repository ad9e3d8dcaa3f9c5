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
import { checkNamedCompany, checkSource, holdingsOutOfRange, lockNamedCompany, recordSource } from './guards.js';
import { runWrite } from './idempotency.js';
import { isUniqueViolation, Problems, Rejection, userError } from './problems.js';

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
  try {
    return await runWrite(db, {
      operation: 'recordProductionReport',
      actor,
      key: idempotencyKey,
      input: request,
      work: async (trx) => {
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
      replay: async (id: string) => (await productionReportsByIds(db, [id]))[0]!,
    });
  } catch (error) {
    if (isUniqueViolation(error, 'production_reports_company_period_key')) {
      return {
        ok: false,
        userErrors: [
          userError(
            ['input', 'periodStart'],
            'ALREADY_EXISTS',
            `A production report for ${input.periodStart} to ${input.periodEnd} exists already.`,
          ),
        ],
      };
    }
    if (isUniqueViolation(error, 'holdings_reports_company_day_key')) {
      return {
        ok: false,
        userErrors: [userError(['input', 'heldBtc'], 'ALREADY_EXISTS', `A holdings figure for ${input.periodEnd} is recorded already.`)],
      };
    }
    throw error;
  }
}
