import type { Kysely } from 'kysely';
import {
  BTC_LIMIT,
  USD_AMOUNT_LIMIT,
  type Actor,
  type RecordTreasuryTransactionInput,
  type TreasuryTransactionModel,
  type WriteResult,
} from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { insertTransaction, transactionsByIds } from '../repositories/treasury.repository.js';
import { holdingsOutOfRange } from './holdings-invariant.js';
import { runIdempotentWrite } from './idempotency.js';
import { checkNamedCompany, lockNamedCompany } from './named-company.js';
import { Problems } from './problems.js';
import { checkSource, recordSource } from './source.js';
import { Rejection } from './transaction.js';

export async function recordTreasuryTransaction(
  db: Kysely<Database>,
  input: RecordTreasuryTransactionInput,
  actor: Actor,
): Promise<WriteResult<TreasuryTransactionModel>> {
  const problems = new Problems();
  const company = checkNamedCompany(problems, input);
  problems.decimal(['input', 'btc'], input.btc, BTC_LIMIT, input.kind === 'OTHER' ? 'non-zero' : 'positive');
  problems.decimal(['input', 'usd'], input.usd, USD_AMOUNT_LIMIT, 'non-negative');
  problems.text(['input', 'note'], input.note, { max: 1000, multiline: true });
  const source = checkSource(problems, ['input', 'source'], input.source, {
    required: true,
    states: { field: 'btc', value: input.btc.replace(/^-/, '') },
  });
  if (problems.any || !company) return problems.result();

  const { idempotencyKey, ...request } = input;
  return runIdempotentWrite(
    db,
    {
      operation: 'recordTreasuryTransaction',
      actor,
      key: idempotencyKey,
      input: request,
      replay: async (id: string) => (await transactionsByIds(db, [id]))[0]!,
    },
    async (trx) => {
      const companyId = await lockNamedCompany(trx, company);
      const transaction = await insertTransaction(trx, {
        companyId,
        kind: input.kind,
        btc: input.btc,
        usd: input.usd ?? null,
        occurredOn: input.occurredOn,
        note: input.note ?? null,
        sourceId: await recordSource(trx, source, actor.apiKeyId),
        createdByApiKeyId: actor.apiKeyId,
      });
      const outOfRange = await holdingsOutOfRange(trx, companyId, input.occurredOn);
      if (outOfRange) throw new Rejection([{ ...outOfRange, field: ['input', 'btc'] }]);
      return {
        value: transaction,
        ref: transaction.id,
        change: { kind: 'company', companyId, record: 'treasuryTransaction', ids: [transaction.id] },
      };
    },
  );
}
