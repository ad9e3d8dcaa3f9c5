import { sql, type Kysely } from 'kysely';

// Frozen.
// - A key's name is unique among active keys only, so a revoked key's name can be given to its
//   replacement; the revoked row keeps its name for the rows it wrote.
// - rate_limits holds each client's requests in the current minute, shared by every server
//   process on this database (rate-limiter-flexible's PostgreSQL store, in its own shape).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table api_keys drop constraint api_keys_name_key`.execute(db);
  await sql`create unique index api_keys_active_name on api_keys (name) where revoked_at is null`.execute(db);
  await sql`
    create table rate_limits (
      key varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rate_limits`.execute(db);
  // Fails, and changes nothing, if a name was reused: which key keeps it is a decision to make by hand.
  await sql`drop index api_keys_active_name`.execute(db);
  await sql`alter table api_keys add constraint api_keys_name_key unique (name)`.execute(db);
}
