import { sql, type Kysely } from 'kysely';
import { publishChange } from '../changes/changes.js';
import type { Database } from '../db/database.js';
import { insertAsset, insertCorporateAction, upsertPrices } from '../repositories/asset.repository.js';
import { insertCompany, insertOfficer } from '../repositories/company.repository.js';
import { insertLoan, insertRepayment } from '../repositories/loan.repository.js';
import { insertProductionReport } from '../repositories/production.repository.js';
import { insertSource } from '../repositories/source.repository.js';
import { insertTransaction } from '../repositories/treasury.repository.js';
import { ASSETS, CANGO, SOURCES, type SourceKey } from './facts.js';

export const SEED_MARKER = 'seed';
const SEED_VERSION = '2026-11-23';

export type SeedOutcome = 'loaded' | 'already-loaded' | 'skipped-not-empty';

/**
 * Loads the sourced facts once, on an empty database. A database that already holds
 * companies or assets without the seed marker belongs to someone: it is left alone.
 * Safe when several servers start at once: the check and the load share one transaction
 * and an advisory lock.
 */
export async function seed(db: Kysely<Database>): Promise<SeedOutcome> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('minergraph.seed'))`.execute(trx);
    const marker = await trx.selectFrom('meta').select('value').where('key', '=', SEED_MARKER).executeTakeFirst();
    if (marker) return 'already-loaded';
    const existing = await sql<{ n: number }>`
      select (select count(*) from companies)::int + (select count(*) from assets)::int as n`.execute(trx);
    if ((existing.rows[0]?.n ?? 0) > 0) return 'skipped-not-empty';

    const sourceIds = {} as Record<SourceKey, string>;
    for (const [key, source] of Object.entries(SOURCES) as [SourceKey, (typeof SOURCES)[SourceKey]][]) {
      sourceIds[key] = await insertSource(trx, {
        title: source.title,
        url: source.url,
        publisher: source.publisher,
        published_on: source.publishedOn,
      });
    }

    const company = await insertCompany(trx, {
      name: CANGO.name,
      ticker: CANGO.ticker,
      exchange: CANGO.exchange,
      businessLines: [...CANGO.businessLines],
      reportedSiteCount: CANGO.reportedSiteCount,
      reportedRegions: [...CANGO.reportedRegions],
      sourceId: sourceIds[CANGO.source],
    });
    for (const officer of CANGO.officers) {
      await insertOfficer(trx, {
        companyId: company.id,
        name: officer.name,
        role: officer.role,
        since: officer.since,
        previousEmployer: officer.previousEmployer,
        sourceId: sourceIds[officer.source],
      });
    }
    for (const report of CANGO.productionReports) {
      await insertProductionReport(trx, { ...report, companyId: company.id, sourceId: sourceIds[report.source] });
    }

    const { loan } = CANGO;
    const loanId = await insertLoan(trx, {
      companyId: company.id,
      lender: loan.lender,
      principalUsd: loan.principalUsd,
      collateralBtc: loan.collateralBtc,
      originatedOn: null,
      maturesOn: null,
      interestRatePercent: null,
      marginCallLtv: null,
      liquidationLtv: null,
      sourceId: sourceIds[loan.source],
    });
    const { repayment } = loan;
    const sale = await insertTransaction(trx, {
      companyId: company.id,
      kind: 'SOLD',
      btc: repayment.sale.btc,
      usd: repayment.sale.usd,
      occurredOn: repayment.paidOn,
      note: repayment.sale.note,
      sourceId: sourceIds[repayment.source],
    });
    await insertRepayment(trx, {
      loanId,
      amountUsd: repayment.amountUsd,
      paidOn: repayment.paidOn,
      collateralReleasedBtc: '0',
      fundedByTransactionId: sale.id,
      sourceId: sourceIds[repayment.source],
    });

    for (const asset of ASSETS) {
      const created = await insertAsset(trx, { symbol: asset.symbol, name: asset.name, kind: asset.kind });
      for (const point of asset.prices) {
        await upsertPrices(
          trx,
          created.id,
          [{ at: new Date(point.at), open: point.price, high: point.price, low: point.price, close: point.price, volume: null }],
          { sourceId: sourceIds[point.source] },
        );
      }
      for (const action of asset.corporateActions) {
        await insertCorporateAction(trx, { ...action, assetId: created.id, sourceId: sourceIds[action.source] });
      }
    }

    await trx.insertInto('meta').values({ key: SEED_MARKER, value: SEED_VERSION }).execute();
    await publishChange(trx, { kind: 'facts', reason: 'seed' });
    return 'loaded';
  });
}
