import { basename } from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { isPlainDecimal } from '@minergraph/schema';
import { publishChange } from '../changes/changes.js';
import type { Database } from '../db/database.js';
import { settleLoanStatus } from '../repositories/loan.repository.js';
import { insertProductionReport } from '../repositories/production.repository.js';
import { checkFactFiles, checkPriceFiles } from './check.js';
import { loadCompanyFiles, loadPriceFiles, type Citation, type CompanyFile, type PriceFile, type SourceEntry } from './fact-file.js';

/**
 * Applies the reviewed data files to a database: `facts sync`, and the seed of an empty one.
 *
 * Every row the files produce carries a fact_key, its name in the files (`MARA/holdings/2025-09-30`,
 * derived from the fact's natural key). A sync inserts the facts whose key is new, updates those
 * whose values changed, leaves the rest, and deletes the rows a file no longer holds. It never
 * touches a row without a fact_key (written through the API, or by the founding seed): a fact whose
 * natural key such a row holds already is left out, and the output says so.
 *
 * Each number's citation is a source row of its own (fact_key `<fact>#source`): the page, plus the
 * verbatim quote and as-of date of that fact.
 */

export interface FileChanges {
  file: string;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Facts not loaded, each with why (a row written through the API holds its key, ...). */
  skipped: string[];
}

export interface SyncResult {
  files: FileChanges[];
  /** Rows loaded earlier whose fact is in no file any more. */
  deleted: number;
}

export class FactFilesInvalidError extends Error {
  constructor(
    readonly dataDir: string,
    readonly problems: string[],
  ) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the fact files of ${dataDir}:\n${problems.join('\n')}`);
  }
}

/** Table → the fact keys this sync produced, to delete the loaded rows no file holds any more. */
type Seen = Map<LoadedTable, Set<string>>;
type LoadedTable =
  | 'sources'
  | 'companies'
  | 'officers'
  | 'production_reports'
  | 'holdings_reports'
  | 'treasury_transactions'
  | 'loans'
  | 'loan_repayments'
  | 'corporate_actions'
  | 'price_observations';

/** Checks every file, then applies them all in one transaction (the seed's advisory lock held). */
export async function syncFacts(db: Kysely<Database>, dataDir: string): Promise<SyncResult> {
  const companies = loadCompanyFiles(dataDir);
  const prices = loadPriceFiles(dataDir);
  const problems = [...checkFactFiles(companies), ...checkPriceFiles(prices)];
  if (problems.length > 0) throw new FactFilesInvalidError(dataDir, problems);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('minergraph.seed'))`.execute(trx);
    const result = await applyFiles(
      trx,
      companies.map((loaded) => ({ name: basename(loaded.path), file: loaded.file! })),
      prices.map((loaded) => ({ name: basename(loaded.path), file: loaded.file! })),
    );
    // Cached answers and subscribers learn of it on commit; a sync that changed nothing moves nothing.
    const changed = result.deleted + result.files.reduce((sum, file) => sum + file.inserted + file.updated, 0);
    if (changed > 0) await publishChange(trx, { kind: 'facts', reason: 'sync' });
    return result;
  });
}

/** Applies checked files inside the caller's transaction. */
export async function applyFiles(
  trx: Transaction<Database>,
  companies: { name: string; file: CompanyFile }[],
  prices: { name: string; file: PriceFile }[],
): Promise<SyncResult> {
  const seen: Seen = new Map();
  const files: FileChanges[] = [];
  for (const { name, file } of companies) files.push(await applyCompany(trx, seen, name, file));
  for (const { name, file } of prices) files.push(await applyPrices(trx, seen, name, file));
  return { files, deleted: await deleteUnseen(trx, seen) };
}

/** Counts and writes for one file. */
class FileWriter {
  readonly changes: FileChanges;

  constructor(
    readonly trx: Transaction<Database>,
    readonly seen: Seen,
    file: string,
    readonly sources: Record<string, SourceEntry>,
  ) {
    this.changes = { file, inserted: 0, updated: 0, unchanged: 0, skipped: [] };
  }

  see(table: LoadedTable, key: string) {
    let keys = this.seen.get(table);
    if (!keys) {
      keys = new Set();
      this.seen.set(table, keys);
    }
    keys.add(key);
  }

  /** The citation of the fact `key` as a source row of its own; its id. */
  async cite(key: string, citation: Citation): Promise<string> {
    const source = this.sources[citation.source]!;
    const { id } = await this.upsert('sources', `${key}#source`, {
      // Source.title is non-null; a page that shows no title of its own gets none made up for it.
      title: source.title ?? UNTITLED,
      url: source.url,
      publisher: source.publisher,
      published_on: source.publishedOn,
      kind: source.kind,
      quote: citation.quote,
      as_of: citation.asOf,
    });
    // Nothing but the loader writes a source with a fact_key, so nothing can hold this one.
    return id!;
  }

  /**
   * Inserts the row of fact `key`, or updates it when a value differs; `taken` answers whether a
   * row without this key (written through the API) holds the fact's natural key already.
   */
  async upsert(
    table: LoadedTable,
    key: string,
    values: Record<string, unknown>,
    taken?: () => Promise<boolean>,
  ): Promise<{ id: string; change: 'inserted' | 'updated' | 'unchanged' } | { id: null; change: 'skipped' }> {
    this.see(table, key);
    // biome-ignore lint/suspicious/noExplicitAny: one code path for every loaded table, each named at run time
    const db = this.trx as unknown as Kysely<any>;
    const idColumn = table === 'price_observations' ? sql<string>`asset_id::text || '|' || at::text` : sql<string>`id::text`;
    const existing = await db.selectFrom(table).selectAll().select(idColumn.as('row_key')).where('fact_key', '=', key).executeTakeFirst();
    if (!existing) {
      if (taken && (await taken())) return { id: null, change: 'skipped' };
      const inserted = await db
        .insertInto(table)
        .values({ ...values, fact_key: key })
        .returning(idColumn.as('row_key'))
        .executeTakeFirstOrThrow();
      this.changes.inserted += 1;
      return { id: inserted.row_key as string, change: 'inserted' };
    }
    const differs = Object.entries(values).some(([column, value]) => !same(existing[column], value));
    if (!differs) {
      this.changes.unchanged += 1;
      return { id: existing.row_key as string, change: 'unchanged' };
    }
    await db.updateTable(table).set(values).where('fact_key', '=', key).execute();
    this.changes.updated += 1;
    return { id: existing.row_key as string, change: 'updated' };
  }

  skip(what: string) {
    this.changes.skipped.push(what);
  }
}

/** Whether a stored value is the value the file gives (numbers compared as decimals, days as text). */
function same(stored: unknown, wanted: unknown): boolean {
  if (stored === null || stored === undefined || wanted === null || wanted === undefined) return (stored ?? null) === (wanted ?? null);
  if (Array.isArray(stored) || Array.isArray(wanted)) return JSON.stringify(stored) === JSON.stringify(wanted);
  if (stored instanceof Date) return stored.toISOString() === new Date(wanted as string).toISOString();
  if (typeof wanted === 'string' && isPlainDecimal(wanted) && isPlainDecimal(String(stored))) {
    return Number(stored) === Number(wanted) && String(stored).replace(/\.?0+$/, '') === wanted.replace(/\.?0+$/, '');
  }
  return String(stored) === String(wanted);
}

async function applyCompany(trx: Transaction<Database>, seen: Seen, name: string, file: CompanyFile): Promise<FileChanges> {
  const w = new FileWriter(trx, seen, name, file.sources);
  const ticker = file.ticker;
  const companySource = await w.cite(ticker, file.citation);
  // The regions the company names (reportedRegions), else those its cited site entries name (a
  // site entry's other figures are not loaded: a Site needs a name, region, status and purpose).
  const regions = file.reportedRegions?.regions ?? [
    ...new Set(file.sites.map((site) => site.region).filter((region): region is string => region !== null)),
  ];
  const company = await w.upsert(
    'companies',
    ticker,
    {
      name: file.name,
      ticker,
      exchange: file.exchange,
      business_lines: file.businessLines,
      reported_regions: regions,
      reported_site_count: file.reportedSiteCount ? Number(file.reportedSiteCount.count) : null,
      source_id: companySource,
    },
    async () => !!(await trx.selectFrom('companies').select('id').where('ticker', '=', ticker).executeTakeFirst()),
  );
  if (company.id === null) {
    w.skip(`${ticker}: a company with this ticker was written through the API; the file's facts are left out`);
    // Its citation rows were counted as seen; nothing else of the file is.
    return w.changes;
  }
  const companyId = company.id;

  for (const officer of file.officers) {
    const key = `${ticker}/officer/${officer.name}/${officer.role}`;
    const sourceId = await w.cite(key, officer.citation);
    const result = await w.upsert(
      'officers',
      key,
      {
        company_id: companyId,
        name: officer.name,
        role: officer.role,
        // A month the page gives without its day is stored as the month's first day (a DATE column).
        since: officer.since ? (officer.since.length === 7 ? `${officer.since}-01` : officer.since) : null,
        previous_employer: officer.previousEmployer ?? null,
        source_id: sourceId,
      },
      async () =>
        !!(await trx
          .selectFrom('officers')
          .select('id')
          .where('company_id', '=', companyId)
          .where('name', '=', officer.name)
          .where('role', '=', officer.role)
          .executeTakeFirst()),
    );
    if (result.id === null) w.skip(`${key}: recorded through the API already`);
  }

  const holdingDays = new Set(file.holdings.map((holding) => holding.on));
  for (const holding of file.holdings) {
    // Holdings keep one figure a day (the anchor of that day's balance). A day the files give on
    // two bases loads the one whose basis the company states (else the first listed); the other
    // stays in the file and is named in the output.
    const sameDay = file.holdings.filter((other) => other.on === holding.on);
    const chosen = sameDay.find((other) => other.basis !== null) ?? sameDay[0];
    if (chosen !== holding) {
      w.skip(
        `${ticker}/holdings/${holding.on}: ${holding.btc} BTC (basis: ${holding.basis ?? 'not stated'}) is a second figure for the day; ${chosen!.btc} BTC is loaded`,
      );
      continue;
    }
    const key = `${ticker}/holdings/${holding.on}`;
    const sourceId = await w.cite(key, holding.citation);
    const result = await w.upsert(
      'holdings_reports',
      key,
      { company_id: companyId, reported_on: holding.on, btc: holding.btc, basis: holding.basis, source_id: sourceId },
      async () => !!(await anchorOn(trx, companyId, holding.on)),
    );
    if (result.id === null) w.skip(`${key}: a holdings figure for ${holding.on} was recorded through the API already`);
  }

  for (const report of file.production) {
    const key = `${ticker}/production/${report.periodStart}/${report.periodEnd}`;
    if (report.minedBtc === null) {
      // ProductionReport.minedBtc is non-null in the contract, and 0 would read as "mined nothing".
      w.skip(`${key}: the report states no BTC mined, so it is not loaded`);
      continue;
    }
    const citations = Object.entries(report.citations) as [string, Citation][];
    const fieldSources: [string, string][] = [];
    for (const [field, citation] of citations) fieldSources.push([field, await w.cite(`${key}/${field}`, citation)]);
    const mainSource = (fieldSources.find(([field]) => field === 'minedBtc') ?? fieldSources[0])?.[1] ?? null;
    // A report overlapping a shorter one (a quarter beside its months) records no flows: the
    // shorter reports' flows count that BTC already. Holdings cited on periodEnd are the anchor.
    const overlapsShorter = file.production.some(
      (other) =>
        other !== report && other.periodStart <= report.periodEnd && other.periodEnd >= report.periodStart && days(other) < days(report),
    );
    const row = {
      company_id: companyId,
      period_start: report.periodStart,
      period_end: report.periodEnd,
      period: report.period,
      mined_btc: report.minedBtc,
      sold_btc: report.soldBtc,
      sold_usd: report.soldUsd,
      held_btc: report.heldBtc,
      deployed_hashrate_eh: report.deployedEhs,
      operating_hashrate_eh: report.operatingEhs,
      source_id: mainSource,
    };
    w.see('production_reports', key);
    const existing = await trx.selectFrom('production_reports').selectAll().where('fact_key', '=', key).executeTakeFirst();
    if (existing && Object.entries(row).every(([column, value]) => same(existing[column as keyof typeof existing], value))) {
      w.changes.unchanged += 1;
      continue;
    }
    if (!existing) {
      const taken = await trx
        .selectFrom('production_reports')
        .select('id')
        .where('company_id', '=', companyId)
        .where('period_start', '=', report.periodStart)
        .where('period_end', '=', report.periodEnd)
        .executeTakeFirst();
      if (taken) {
        w.skip(`${key}: a report for this period was recorded through the API already`);
        continue;
      }
    } else {
      // The report, its flows, its anchor and its field citations are one fact: replaced whole.
      await trx.deleteFrom('production_reports').where('id', '=', existing.id).execute();
    }
    const anchorHeld = report.heldBtc !== null && !holdingDays.has(report.periodEnd) && !(await anchorOn(trx, companyId, report.periodEnd));
    const inserted = await insertProductionReport(trx, {
      companyId,
      periodStart: report.periodStart,
      periodEnd: report.periodEnd,
      period: report.period,
      minedBtc: report.minedBtc,
      soldBtc: report.soldBtc,
      soldUsd: report.soldUsd,
      heldBtc: report.heldBtc,
      deployedHashrateEh: report.deployedEhs,
      operatingHashrateEh: report.operatingEhs,
      sourceId: mainSource,
      factKey: key,
      anchorHeld,
      recordFlows: !overlapsShorter,
      numberSources: Object.fromEntries(fieldSources),
    });
    for (const [field, sourceId] of fieldSources) {
      await trx.insertInto('field_citations').values({ production_report_id: inserted.id, field, source_id: sourceId }).execute();
    }
    if (existing) w.changes.updated += 1;
    else w.changes.inserted += 1;
  }

  const transactionIds = new Map<string, string>();
  for (const transaction of file.transactions) {
    const key = `${ticker}/transaction/${transaction.key}`;
    // Holdings are the last reported figure plus the flows after it: a sale with no reported figure
    // before it would read as a negative balance, which is no one's holdings. It stays in the file.
    if (transaction.kind === 'SALE' && !file.holdings.some((holding) => holding.on <= transaction.on)) {
      w.skip(`${key}: a sale with no reported holdings figure before it is not loaded (the balance would read below zero)`);
      continue;
    }
    const sources: Record<string, string> = {};
    for (const [field, citation] of Object.entries(transaction.citations) as [string, Citation][]) {
      sources[field] = await w.cite(`${key}/${field}`, citation);
    }
    const result = await w.upsert('treasury_transactions', key, {
      company_id: companyId,
      kind: transaction.kind === 'SALE' ? 'SOLD' : 'PURCHASED',
      btc: transaction.btc,
      usd: transaction.usd,
      occurred_on: transaction.on,
      note: transaction.description,
      // The BTC's citation: a transaction shows one source, for its BTC (the USD's is in the file).
      source_id: sources.btc ?? sources.usd ?? null,
    });
    if (result.id !== null) transactionIds.set(transaction.key, result.id);
  }

  for (const debt of file.debt) {
    const key = `${ticker}/debt/${debt.kind}/${debt.asOf}/${debt.description}`;
    const fieldSources: [string, string][] = [];
    for (const [field, citation] of Object.entries(debt.citations)) fieldSources.push([field, await w.cite(`${key}/${field}`, citation)]);
    const mainSource =
      (fieldSources.find(([field]) => field === 'principalUsd') ??
        fieldSources.find(([field]) => field === 'pledgedBtc') ??
        fieldSources[0])?.[1] ?? null;
    const result = await w.upsert('loans', key, {
      company_id: companyId,
      kind: debt.kind,
      lender: debt.lender,
      description: debt.description,
      principal_usd: debt.principalUsd,
      initial_collateral_btc: debt.pledgedBtc,
      interest_rate_percent: debt.interestRatePercent === null ? null : Number(debt.interestRatePercent),
      matures_on: debt.maturesOn,
      source_id: mainSource,
    });
    if (result.id !== null && result.change !== 'unchanged') {
      await trx.deleteFrom('field_citations').where('loan_id', '=', result.id).execute();
    }
    if (result.id !== null && result.change !== 'unchanged') {
      for (const [field, sourceId] of fieldSources) {
        await trx.insertInto('field_citations').values({ loan_id: result.id, field, source_id: sourceId }).execute();
      }
    }
    if (result.id === null) continue;
    for (const repayment of debt.repayments) {
      const repaymentKey = `${key}/repayment/${repayment.paidOn}`;
      const sourceId = await w.cite(repaymentKey, repayment.citation);
      await w.upsert('loan_repayments', repaymentKey, {
        loan_id: result.id,
        amount_usd: repayment.usd,
        paid_on: repayment.paidOn,
        collateral_released_btc: '0',
        funded_by_transaction_id: repayment.fundedBy ? (transactionIds.get(repayment.fundedBy) ?? null) : null,
        source_id: sourceId,
      });
    }
    await settleLoanStatus(trx, result.id);
  }

  if (file.corporateActions.length > 0) {
    const assetId = await assetFor(trx, ticker, `${file.name} shares`, 'EQUITY');
    for (const action of file.corporateActions) {
      const key = `${ticker}/corporate-action/${action.effectiveOn}`;
      const sourceId = await w.cite(key, action.citation);
      const result = await w.upsert(
        'corporate_actions',
        key,
        { asset_id: assetId, effective_on: action.effectiveOn, ratio: action.ratio, description: action.description, source_id: sourceId },
        async () =>
          !!(await trx
            .selectFrom('corporate_actions')
            .select('id')
            .where('asset_id', '=', assetId)
            .where('effective_on', '=', action.effectiveOn)
            .executeTakeFirst()),
      );
      if (result.id === null) w.skip(`${key}: recorded through the API already`);
    }
  }
  return w.changes;
}

/** The title of a source whose page shows no title of its own. */
export const UNTITLED = '(the page shows no title)';

const CRYPTO_NAMES: Record<string, string> = { BTC: 'Bitcoin' };

async function assetFor(trx: Transaction<Database>, symbol: string, name: string, kind: 'CRYPTO' | 'EQUITY'): Promise<string> {
  const existing = await trx.selectFrom('assets').select('id').where('symbol', '=', symbol).executeTakeFirst();
  if (existing) return existing.id;
  const created = await trx.insertInto('assets').values({ symbol, name, kind }).returning('id').executeTakeFirstOrThrow();
  return created.id;
}

function days(report: { periodStart: string; periodEnd: string }): number {
  return (Date.parse(report.periodEnd) - Date.parse(report.periodStart)) / 86_400_000;
}

function anchorOn(trx: Transaction<Database>, companyId: string, day: string) {
  return trx
    .selectFrom('holdings_reports')
    .select(['id', 'fact_key'])
    .where('company_id', '=', companyId)
    .where('reported_on', '=', day)
    .executeTakeFirst();
}

async function applyPrices(trx: Transaction<Database>, seen: Seen, name: string, file: PriceFile): Promise<FileChanges> {
  const w = new FileWriter(trx, seen, name, file.sources);
  // A price file names a company's ticker (its shares) or a crypto asset.
  const company = await trx.selectFrom('companies').select('name').where('ticker', '=', file.symbol).executeTakeFirst();
  const assetId = company
    ? await assetFor(trx, file.symbol, `${company.name} shares`, 'EQUITY')
    : await assetFor(trx, file.symbol, CRYPTO_NAMES[file.symbol] ?? file.symbol, 'CRYPTO');
  const byDay = new Map<string, PriceFile['prices']>();
  for (const point of file.prices) byDay.set(point.on, [...(byDay.get(point.on) ?? []), point]);
  for (const [on, points] of byDay) {
    // Each quoted price is one observation citing its own page (open = high = low = close = the
    // price), so every number keeps the sentence that states it: a day's candle then spans what
    // its pages quote. The pages give a day, not an instant: a quoted open is the day's first
    // instant, a quoted close its last millisecond, and any other price (an all-time high, an
    // intraday or unspecified quote) the day's first instant after an open, in file order a
    // millisecond apart.
    let next = points.some((point) => point.kind === 'OPEN') ? 1 : 0;
    for (const point of points) {
      const offset = point.kind === 'OPEN' ? 0 : point.kind === 'CLOSE' ? 86_400_000 - 1 : next++;
      const at = new Date(Date.parse(`${on}T00:00:00.000Z`) + offset);
      const key = `${file.symbol}/price/${on}/${point.kind}`;
      const sourceId = await w.cite(key, point.citation);
      const result = await w.upsert(
        'price_observations',
        key,
        { asset_id: assetId, at, open: point.usd, high: point.usd, low: point.usd, close: point.usd, source_id: sourceId },
        async () =>
          !!(await trx
            .selectFrom('price_observations')
            .select('at')
            .where('asset_id', '=', assetId)
            .where('at', '=', at)
            .executeTakeFirst()),
      );
      if (result.id === null) w.skip(`${key}: an observation at ${at.toISOString()} was recorded otherwise already`);
    }
  }
  return w.changes;
}

/** Deletes the loaded rows whose fact no file holds any more; children first, sources last. */
async function deleteUnseen(trx: Transaction<Database>, seen: Seen): Promise<number> {
  // A company whose file is gone is deleted with its loaded facts, unless facts recorded through
  // the API hang on it: then it stays, with its citation.
  const kept = await sql<{ fact_key: string }>`
    select c.fact_key from companies c
    where c.fact_key is not null and not (c.fact_key = any(${[...(seen.get('companies') ?? [])]}::text[]))
      and (exists (select 1 from treasury_transactions t where t.company_id = c.id and t.fact_key is null)
        or exists (select 1 from production_reports p where p.company_id = c.id and p.fact_key is null)
        or exists (select 1 from holdings_reports h where h.company_id = c.id and h.fact_key is null)
        or exists (select 1 from loans l where l.company_id = c.id and l.fact_key is null)
        or exists (select 1 from officers o where o.company_id = c.id and o.fact_key is null)
        or exists (select 1 from sites s where s.company_id = c.id))`.execute(trx);
  for (const { fact_key } of kept.rows) {
    for (const [table, key] of [
      ['companies', fact_key],
      ['sources', `${fact_key}#source`],
    ] as const) {
      let keys = seen.get(table);
      if (!keys) {
        keys = new Set();
        seen.set(table, keys);
      }
      keys.add(key);
    }
  }
  let deleted = 0;
  const tables: LoadedTable[] = [
    'price_observations',
    'corporate_actions',
    'loan_repayments',
    'loans',
    'treasury_transactions',
    'production_reports',
    'holdings_reports',
    'officers',
    'companies',
    'sources',
  ];
  for (const table of tables) {
    const keys = [...(seen.get(table) ?? [])];
    // The flows and anchors a loaded report recorded go with it (their keys extend the report's).
    const result = await sql`
      delete from ${sql.table(table)} where fact_key is not null and not (fact_key = any(${keys}::text[]))
        ${table === 'holdings_reports' || table === 'treasury_transactions' ? sql`and production_report_id is null` : sql``}`.execute(trx);
    deleted += Number(result.numAffectedRows ?? 0n);
  }
  return deleted;
}
