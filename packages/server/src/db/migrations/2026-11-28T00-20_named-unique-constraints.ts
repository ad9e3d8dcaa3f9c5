import { sql, type Kysely } from 'kysely';

// Frozen. Every unique constraint gets a name chosen here, in one pattern (<table>_<what>_unique),
// instead of the one PostgreSQL derived from its columns (<table>_<column>_key) or an earlier
// migration gave it. The writes answer a duplicate by the constraint's name
// (server/src/writes/unique-keys.ts), so the name is part of the contract and is written down.
// Renaming a constraint renames its index too; no row is read or rewritten.
// Primary keys keep <table>_pkey; the unique indexes (api_keys_active_name, <table>_fact_key_key)
// were named when they were created.

const RENAMES = [
  { table: 'api_keys', from: 'api_keys_key_hash_key', to: 'api_keys_key_hash_unique' },
  { table: 'companies', from: 'companies_ticker_key', to: 'companies_ticker_unique' },
  { table: 'officers', from: 'officers_company_name_role_key', to: 'officers_company_name_role_unique' },
  { table: 'sites', from: 'sites_company_name_key', to: 'sites_company_name_unique' },
  { table: 'production_reports', from: 'production_reports_company_period_key', to: 'production_reports_company_period_unique' },
  { table: 'holdings_reports', from: 'holdings_reports_company_day_key', to: 'holdings_reports_company_day_unique' },
  { table: 'loan_repayments', from: 'loan_repayments_funded_by_transaction_id_key', to: 'loan_repayments_funding_sale_unique' },
  { table: 'assets', from: 'assets_symbol_key', to: 'assets_symbol_unique' },
  { table: 'corporate_actions', from: 'corporate_actions_asset_day_key', to: 'corporate_actions_asset_day_unique' },
  { table: 'field_citations', from: 'field_citations_report_field_key', to: 'field_citations_report_field_unique' },
  { table: 'field_citations', from: 'field_citations_loan_field_key', to: 'field_citations_loan_field_unique' },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const { table, from, to } of RENAMES) {
    await sql`alter table ${sql.table(table)} rename constraint ${sql.id(from)} to ${sql.id(to)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { table, from, to } of RENAMES.toReversed()) {
    await sql`alter table ${sql.table(table)} rename constraint ${sql.id(to)} to ${sql.id(from)}`.execute(db);
  }
}
