import type { Kysely } from 'kysely';
import type { Writes } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { createAsset, recordCorporateAction, recordPrices } from './asset.writes.js';
import { createCompany } from './company.writes.js';
import { createLoan, repayLoan } from './loan.writes.js';
import { recordProductionReport } from './production.writes.js';
import { createSite } from './site.writes.js';
import { recordTreasuryTransaction } from './treasury.writes.js';

export function createWrites(db: Kysely<Database>): Writes {
  return {
    createCompany: (input, actor) => createCompany(db, input, actor),
    createSite: (input, actor) => createSite(db, input, actor),
    recordTreasuryTransaction: (input, actor) => recordTreasuryTransaction(db, input, actor),
    recordProductionReport: (input, actor) => recordProductionReport(db, input, actor),
    createLoan: (input, actor) => createLoan(db, input, actor),
    repayLoan: (input, actor) => repayLoan(db, input, actor),
    createAsset: (input, actor) => createAsset(db, input, actor),
    recordPrices: (input, actor) => recordPrices(db, input, actor),
    recordCorporateAction: (input, actor) => recordCorporateAction(db, input, actor),
  };
}
