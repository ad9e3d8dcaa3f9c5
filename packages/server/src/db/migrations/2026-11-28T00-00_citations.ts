import { sql, type Kysely } from 'kysely';

// Frozen.
// - A source row is one citation: where a fact was published (title, URL, publisher, date, kind
//   of page) plus the verbatim sentence stating the fact (quote) and the as-of date that sentence
//   gives. Every fact points at its own citation, so the quote is always the one for that fact.
// - field_citations: a production report or a loan may cite a different page per number.
// - fact_key: set only by the loader of the reviewed data files (data/), naming the fact in its
//   file (e.g. `MARA/holdings/2025-09-30`). `facts sync` updates and deletes only rows that carry
//   one; rows written through the API (fact_key null) are never touched.
// - holdings_reports.basis: what "held" includes, as the company states it.
// - production_reports.period: the period as published (a quarter is one report, never months).
// - loans.kind: BTC-backed loan, credit line, convertible notes or term loan, with a description.
// - business lines: HPC_HOSTING, which miners report beside mining and AI compute.

const FACT_TABLES = [
  'sources',
  'companies',
  'officers',
  'sites',
  'production_reports',
  'treasury_transactions',
  'holdings_reports',
  'loans',
  'loan_repayments',
  'price_observations',
  'corporate_actions',
] as const;

const SOURCE_KINDS = ['FILING', 'COMPANY_RELEASE', 'WIRE_REPRINT', 'TRADE_PRESS', 'NEWS', 'AGGREGATOR'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sources')
    .addColumn('kind', 'text', (c) => c.check(sql.raw(`kind in (${SOURCE_KINDS.map((k) => `'${k}'`).join(', ')})`)))
    .addColumn('quote', 'text', (c) => c.check(sql`length(trim(quote)) > 0`))
    .addColumn('as_of', 'date')
    .execute();

  for (const table of FACT_TABLES) {
    await db.schema.alterTable(table).addColumn('fact_key', 'text').execute();
    await db.schema.createIndex(`${table}_fact_key_key`).unique().on(table).column('fact_key').execute();
  }

  await db.schema.alterTable('holdings_reports').addColumn('basis', 'text').execute();
  await db.schema
    .alterTable('production_reports')
    .addColumn('period', 'text', (c) => c.check(sql`period in ('MONTH', 'QUARTER', 'YEAR')`))
    .execute();
  await db.schema
    .alterTable('loans')
    .addColumn('kind', 'text', (c) =>
      c.notNull().defaultTo('BTC_BACKED_LOAN').check(sql`kind in ('BTC_BACKED_LOAN', 'CREDIT_LINE', 'CONVERTIBLE_NOTES', 'TERM_LOAN')`),
    )
    .addColumn('description', 'text')
    .execute();

  await db.schema
    .createTable('field_citations')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('production_report_id', 'bigint', (c) => c.references('production_reports.id').onDelete('cascade'))
    .addColumn('loan_id', 'bigint', (c) => c.references('loans.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('source_id', 'bigint', (c) => c.notNull().references('sources.id'))
    .addCheckConstraint('field_citations_one_fact_check', sql`num_nonnulls(production_report_id, loan_id) = 1`)
    .addUniqueConstraint('field_citations_report_field_key', ['production_report_id', 'field'])
    .addUniqueConstraint('field_citations_loan_field_key', ['loan_id', 'field'])
    .execute();

  await sql`alter table companies drop constraint companies_business_lines_check`.execute(db);
  await sql`alter table companies add constraint companies_business_lines_check
            check (business_lines <@ array['BITCOIN_MINING', 'AI_COMPUTE', 'HPC_HOSTING']::text[])`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Fails, and changes nothing, while a company reports HPC_HOSTING: dropping it is a decision to make by hand.
  await sql`alter table companies drop constraint companies_business_lines_check`.execute(db);
  await sql`alter table companies add constraint companies_business_lines_check
            check (business_lines <@ array['BITCOIN_MINING', 'AI_COMPUTE']::text[])`.execute(db);
  await db.schema.dropTable('field_citations').execute();
  await db.schema.alterTable('loans').dropColumn('kind').dropColumn('description').execute();
  await db.schema.alterTable('production_reports').dropColumn('period').execute();
  await db.schema.alterTable('holdings_reports').dropColumn('basis').execute();
  for (const table of FACT_TABLES) await db.schema.alterTable(table).dropColumn('fact_key').execute();
  await db.schema.alterTable('sources').dropColumn('kind').dropColumn('quote').dropColumn('as_of').execute();
}
