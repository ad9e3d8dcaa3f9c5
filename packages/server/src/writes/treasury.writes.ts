import type { Kysely } from 'kysely';
import type { Actor, RecordTreasuryTransactionInput, TreasuryTransactionModel, WriteResult } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { insertTransaction, transactionsByIds } from '../repositories/treasury.repository.js';
import { checkSource, holdingsShortfall, lockInputCompany, recordSource } from './guards.js';
import { runWrite } from './idempotency.js';
import { Problems, Rejection } from './problems.js';

export async function recordTreasuryTransaction(
  db: Kysely<Database>,
  input: RecordTreasuryTransactionInput,
  actor: Actor,
): Promise<WriteResult<TreasuryTransactionModel>> {
  const problems = new Problems();
  problems.btc(['input', 'btc'], input.btc, input.kind === 'OTHER' ? 'non-zero' : 'positive');
  problems.amount(['input', 'usd'], input.usd, 'non-negative');
  problems.text(['input', 'note'], input.note, { max: 1000 });
  checkSource(problems, ['input', 'source'], input.source);
  if (problems.any) return problems.result();

  const { idempotencyKey, ...request } = input;
  return runWrite(db, {
    operation: 'recordTreasuryTransaction',
    actor,
    key: idempotencyKey,
    input: request,
    work: async (trx) => {
      await lockInputCompany(trx, input.companyId);
      const transaction = await insertTransaction(trx, {
        companyId: input.companyId,
        kind: input.kind,
        btc: input.btc,
        usd: input.usd ?? null,
        occurredOn: input.occurredOn,
        note: input.note ?? null,
        sourceId: await recordSource(trx, input.source, actor.apiKeyId),
        createdByApiKeyId: actor.apiKeyId,
      });
      const shortfall = await holdingsShortfall(trx, input.companyId, input.occurredOn);
      if (shortfall) throw new Rejection([{ ...shortfall, field: ['input', 'btc'] }]);
      return { value: transaction, ref: transaction.id };
    },
    replay: async (id: string) => (await transactionsByIds(db, [id]))[0]!,
  });
}
