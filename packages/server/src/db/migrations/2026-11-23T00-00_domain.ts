import { sql, type Kysely } from 'kysely';

// Frozen: this migration must keep creating exactly this schema. Change it with a new one.
//
// Money, BTC, prices and hashrate are NUMERIC (exact). BTC amounts carry at most 8 decimals
// (1 satoshi): `x = round(x, 8)` rejects more instead of silently rounding as NUMERIC(p, 8) would.

const btc = (column: string) => sql.raw(`${column} = round(${column}, 8)`);

async function auditColumns(db: Kysely<any>, table: string): Promise<void> {
  await db.schema
    .alterTable(table)
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by_api_key_id', 'bigint', (c) => c.references('api_keys.id').onDelete('set null'))
    .execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  // Facts about the database itself, e.g. when the seed was loaded, so it loads only once.
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('reader', 'editor', 'admin')`))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('sources')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(trim(title)) > 0`))
    .addColumn('url', 'text')
    .addColumn('publisher', 'text')
    .addColumn('published_on', 'date')
    .execute();
  await auditColumns(db, 'sources');

  await db.schema
    .createTable('companies')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(trim(name)) > 0`))
    .addColumn('ticker', 'text', (c) => c.notNull().unique().check(sql`ticker = upper(ticker) and ticker ~ '^[A-Z0-9.\\-]{1,12}$'`))
    .addColumn('exchange', 'text')
    .addColumn('business_lines', sql`text[]`, (c) =>
      c.notNull().defaultTo(sql`'{}'`).check(sql`business_lines <@ array['BITCOIN_MINING', 'AI_COMPUTE']::text[]`),
    )
    .addColumn('reported_site_count', 'integer', (c) => c.check(sql`reported_site_count >= 0`))
    .addColumn('reported_regions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .execute();
  await auditColumns(db, 'companies');

  await db.schema
    .createTable('officers')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('since', 'date')
    .addColumn('previous_employer', 'text')
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .addUniqueConstraint('officers_company_name_role_key', ['company_id', 'name', 'role'])
    .execute();
  await auditColumns(db, 'officers');

  await db.schema
    .createTable('sites')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(trim(name)) > 0`))
    .addColumn('region', 'text', (c) => c.notNull().check(sql`length(trim(region)) > 0`))
    .addColumn('country', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('PLANNED', 'UNDER_CONSTRUCTION', 'OPERATING', 'IDLE', 'DECOMMISSIONED')`),
    )
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('BITCOIN_MINING', 'AI_COMPUTE', 'MIXED')`))
    .addColumn('power_capacity_mw', 'numeric', (c) => c.check(sql`power_capacity_mw >= 0`))
    .addColumn('hashrate_eh', 'numeric', (c) => c.check(sql`hashrate_eh >= 0`))
    .addColumn('grid_connected', 'boolean')
    .addColumn('commissioned_on', 'date')
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .addUniqueConstraint('sites_company_name_key', ['company_id', 'name'])
    .execute();
  await auditColumns(db, 'sites');

  await db.schema
    .createTable('production_reports')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('mined_btc', 'numeric', (c) => c.notNull().check(sql`mined_btc >= 0 and ${btc('mined_btc')}`))
    .addColumn('sold_btc', 'numeric', (c) => c.check(sql`sold_btc >= 0 and ${btc('sold_btc')}`))
    .addColumn('sold_usd', 'numeric', (c) => c.check(sql`sold_usd >= 0`))
    .addColumn('held_btc', 'numeric', (c) => c.check(sql`held_btc >= 0 and ${btc('held_btc')}`))
    .addColumn('deployed_hashrate_eh', 'numeric', (c) => c.check(sql`deployed_hashrate_eh >= 0`))
    .addColumn('operating_hashrate_eh', 'numeric', (c) => c.check(sql`operating_hashrate_eh >= 0`))
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .addCheckConstraint('production_reports_period_check', sql`period_end >= period_start`)
    .addUniqueConstraint('production_reports_company_period_key', ['company_id', 'period_start', 'period_end'])
    .execute();
  await auditColumns(db, 'production_reports');

  await db.schema
    .createTable('treasury_transactions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('MINED', 'PURCHASED', 'SOLD', 'OTHER')`))
    .addColumn('btc', 'numeric', (c) => c.notNull().check(sql`${btc('btc')}`))
    .addColumn('usd', 'numeric', (c) => c.check(sql`usd >= 0`))
    .addColumn('occurred_on', 'date', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .addColumn('production_report_id', 'bigint', (c) => c.references('production_reports.id').onDelete('cascade'))
    .addCheckConstraint('treasury_transactions_sign_check', sql`(kind = 'OTHER' and btc <> 0) or (kind <> 'OTHER' and btc > 0)`)
    .execute();
  await auditColumns(db, 'treasury_transactions');
  await db.schema
    .createIndex('treasury_transactions_company_day_idx')
    .on('treasury_transactions')
    .columns(['company_id', 'occurred_on', 'id'])
    .execute();

  await db.schema
    .createTable('holdings_reports')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('reported_on', 'date', (c) => c.notNull())
    .addColumn('btc', 'numeric', (c) => c.notNull().check(sql`btc >= 0 and ${btc('btc')}`))
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .addColumn('production_report_id', 'bigint', (c) => c.references('production_reports.id').onDelete('cascade'))
    .addUniqueConstraint('holdings_reports_company_day_key', ['company_id', 'reported_on'])
    .execute();
  await auditColumns(db, 'holdings_reports');

  await db.schema
    .createTable('loans')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('lender', 'text')
    .addColumn('principal_usd', 'numeric', (c) => c.check(sql`principal_usd > 0`))
    // Null when the collateral was never disclosed.
    .addColumn('initial_collateral_btc', 'numeric', (c) => c.check(sql`initial_collateral_btc >= 0 and ${btc('initial_collateral_btc')}`))
    .addColumn('originated_on', 'date')
    .addColumn('matures_on', 'date')
    .addColumn('interest_rate_percent', 'double precision', (c) => c.check(sql`interest_rate_percent >= 0`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('ACTIVE').check(sql`status in ('ACTIVE', 'REPAID', 'DEFAULTED')`))
    .addColumn('margin_call_ltv', 'double precision', (c) => c.check(sql`margin_call_ltv > 0`))
    .addColumn('liquidation_ltv', 'double precision', (c) => c.check(sql`liquidation_ltv > 0`))
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .addCheckConstraint('loans_term_check', sql`matures_on is null or originated_on is null or matures_on >= originated_on`)
    .addCheckConstraint(
      'loans_thresholds_check',
      sql`margin_call_ltv is null or liquidation_ltv is null or liquidation_ltv >= margin_call_ltv`,
    )
    .execute();
  await auditColumns(db, 'loans');
  await db.schema.createIndex('loans_company_idx').on('loans').column('company_id').execute();

  await db.schema
    .createTable('loan_repayments')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('loan_id', 'bigint', (c) => c.notNull().references('loans.id').onDelete('cascade'))
    .addColumn('amount_usd', 'numeric', (c) => c.notNull().check(sql`amount_usd > 0`))
    .addColumn('paid_on', 'date', (c) => c.notNull())
    .addColumn('collateral_released_btc', 'numeric', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`collateral_released_btc >= 0 and ${btc('collateral_released_btc')}`),
    )
    .addColumn('funded_by_transaction_id', 'bigint', (c) => c.unique().references('treasury_transactions.id').onDelete('restrict'))
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .execute();
  await auditColumns(db, 'loan_repayments');
  await db.schema.createIndex('loan_repayments_loan_idx').on('loan_repayments').columns(['loan_id', 'paid_on']).execute();

  await db.schema
    .createTable('assets')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('symbol', 'text', (c) => c.notNull().unique().check(sql`symbol = upper(symbol) and symbol ~ '^[A-Z0-9.\\-]{1,12}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('CRYPTO', 'EQUITY')`))
    .addColumn('quote_currency', 'text', (c) => c.notNull().defaultTo('USD').check(sql`quote_currency ~ '^[A-Z]{3,5}$'`))
    .execute();
  await auditColumns(db, 'assets');

  // One row per (asset, instant); the primary key is the index every time-series query
  // walks (latest, at-or-before, ranges for candles).
  await db.schema
    .createTable('price_observations')
    .addColumn('asset_id', 'bigint', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('open', 'numeric', (c) => c.notNull().check(sql`open > 0`))
    .addColumn('high', 'numeric', (c) => c.notNull().check(sql`high > 0`))
    .addColumn('low', 'numeric', (c) => c.notNull().check(sql`low > 0`))
    .addColumn('close', 'numeric', (c) => c.notNull().check(sql`close > 0`))
    .addColumn('volume', 'numeric', (c) => c.check(sql`volume >= 0`))
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .addPrimaryKeyConstraint('price_observations_pkey', ['asset_id', 'at'])
    .addCheckConstraint('price_observations_range_check', sql`low <= open and low <= close and high >= open and high >= close`)
    .execute();
  await auditColumns(db, 'price_observations');
  // allTimeHigh: the highest high per asset without scanning the series.
  await db.schema
    .createIndex('price_observations_asset_high_idx')
    .on('price_observations')
    .columns(['asset_id', 'high desc', 'at'])
    .execute();

  // A change in how many listed units one old unit became (split, reverse split, ADS
  // conversion); prices before effective_on are divided by the ratio to be comparable.
  await db.schema
    .createTable('corporate_actions')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('asset_id', 'bigint', (c) => c.notNull().references('assets.id').onDelete('cascade'))
    .addColumn('effective_on', 'date', (c) => c.notNull())
    .addColumn('ratio', 'numeric', (c) => c.notNull().check(sql`ratio > 0 and ratio <> 1`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('source_id', 'bigint', (c) => c.references('sources.id'))
    .addUniqueConstraint('corporate_actions_asset_day_key', ['asset_id', 'effective_on'])
    .execute();
  await auditColumns(db, 'corporate_actions');

  // Results of idempotent mutations: a retry with the same key and input gets the same answer.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['operation', 'key'])
    .execute();
  await auditColumns(db, 'idempotency_keys');
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'idempotency_keys',
    'corporate_actions',
    'price_observations',
    'assets',
    'loan_repayments',
    'loans',
    'holdings_reports',
    'treasury_transactions',
    'production_reports',
    'sites',
    'officers',
    'companies',
    'sources',
    'api_keys',
    'meta',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
