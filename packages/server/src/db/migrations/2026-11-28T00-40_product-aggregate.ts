import { sql, type Kysely } from 'kysely';

// Frozen. The product of numerics, exactly (numeric_mul), as an aggregate: how many of today's
// shares one share became is the product of the ratios of the corporate actions since
// (adjustPoint in @minergraph/schema adjustments.ts), and a look-ahead read
// (src/look-ahead/compile.ts) computes it in SQL. exp(sum(ln(ratio))) would not be exact.
// Over no rows it is 1, as the product of no ratios is.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create aggregate minergraph_product(numeric) (sfunc = numeric_mul, stype = numeric, initcond = '1')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop aggregate minergraph_product(numeric)`.execute(db);
}
