import type { Kysely } from 'kysely';
import { BTC_LIMIT, Decimal, type UserErrorModel } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { holdingsChangeDays, holdingsOn } from '../repositories/treasury.repository.js';
import { userError } from './problems.js';

/**
 * Holdings can only change on a day with a flow or a report. After a write dated `from`,
 * check every such day from `from` on: none may end below zero (INSUFFICIENT_HOLDINGS), nor
 * above the 21,000,000 BTC that will ever exist (VALIDATION_FAILED), which also keeps every
 * figure derived from holdings (value, percent of supply) within what reads can compute.
 * Run under the company's row lock (lockNamedCompany), so concurrent writes see each other's flows.
 */
export async function holdingsOutOfRange(trx: Kysely<Database>, companyId: string, from: string): Promise<UserErrorModel | null> {
  const days = await holdingsChangeDays(trx, companyId, from);
  const balances = await holdingsOn(
    trx,
    days.map((on) => ({ companyId, on })),
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
