import { sql, type Kysely } from 'kysely';

// Frozen. What a write to price_observations keeps up, once per statement instead of once per
// row, so that a bulk import of a million rows does not pay a million times:
// - The all-time high is read through price_days (the day with the highest high, then that
//   day's observations), so price_observations_asset_high_idx, an index ordered by price that
//   rows arriving in time order land all over, is dropped.
// - The three foreign keys of price_observations become statement-level triggers with the same
//   rules: each statement checks the distinct assets, sources and API keys it names, locking
//   them as a foreign key does (a concurrent delete waits for the writer to commit); deleting an
//   asset deletes its observations, deleting an API key clears created_by_api_key_id, deleting a
//   source that observations cite, or changing a referenced id, is refused (SQLSTATE 23503, the
//   foreign key's name in the message).
// - price_days is recomputed with a plan that cannot degrade: one index range per touched day
//   (a lateral join), where the planner, once the table had statistics, merge-joined every row
//   of the asset against every touched day (139 s instead of 20 for a million rows).

/** Columns of price_observations that refer to another table, and what deleting the row referred to does. */
const REFERENCES = [
  { column: 'asset_id', table: 'assets', onDelete: 'cascade' },
  { column: 'source_id', table: 'sources', onDelete: 'no action' },
  { column: 'created_by_api_key_id', table: 'api_keys', onDelete: 'set null' },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index price_observations_asset_high_idx`.execute(db);

  await sql`
    create or replace function refresh_price_days() returns trigger language plpgsql as $$
    begin
      insert into price_days (asset_id, day, open, high, low, close, volume, observations)
      select d.asset_id, d.day, agg.open, agg.high, agg.low, agg.close, agg.volume, agg.observations
      from (select c.asset_id, (c.at at time zone 'UTC')::date as day from changed c group by 1, 2) d
      cross join lateral (
        select (select f.open from price_observations f
                where f.asset_id = d.asset_id and f.at >= d.day::timestamp at time zone 'UTC'
                  and f.at < (d.day + 1)::timestamp at time zone 'UTC'
                order by f.at limit 1) as open,
               max(o.high) as high, min(o.low) as low,
               (select l.close from price_observations l
                where l.asset_id = d.asset_id and l.at >= d.day::timestamp at time zone 'UTC'
                  and l.at < (d.day + 1)::timestamp at time zone 'UTC'
                order by l.at desc limit 1) as close,
               sum(o.volume) as volume, count(*)::integer as observations
        from price_observations o
        where o.asset_id = d.asset_id and o.at >= d.day::timestamp at time zone 'UTC'
          and o.at < (d.day + 1)::timestamp at time zone 'UTC'
      ) agg
      on conflict (asset_id, day) do update set
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume = excluded.volume, observations = excluded.observations;
      return null;
    end $$`.execute(db);

  await sql`
    alter table price_observations
      drop constraint price_observations_asset_id_fkey,
      drop constraint price_observations_source_id_fkey,
      drop constraint price_observations_created_by_api_key_id_fkey`.execute(db);

  // The written rows' distinct references, each locked as a foreign key check locks it, then
  // any that is missing refused with the error the foreign key gave: one block per reference.
  const ids = (column: string) => `${column}s`;
  const check = ({ column, table }: (typeof REFERENCES)[number]) => `
      perform 1 from ${table} t where t.id = any(${ids(column)}) for key share;
      select k into missing from unnest(${ids(column)}) k where not exists (select 1 from ${table} t where t.id = k) limit 1;
      if missing is not null then
        raise foreign_key_violation using
          message = 'insert or update on table "price_observations" violates foreign key constraint "price_observations_${column}_fkey"',
          detail = format('Key (${column})=(%s) is not present in table "${table}".', missing);
      end if;
`;
  await sql`
    create function check_price_observation_references() returns trigger language plpgsql as $$
    declare
      ${sql.raw(REFERENCES.map(({ column }) => `${ids(column)} bigint[];`).join('\n      '))}
      missing bigint;
    begin
      with named as (
        select distinct ${sql.raw(REFERENCES.map(({ column }) => `c.${column}`).join(', '))} from changed c
      )
      select ${sql.raw(REFERENCES.map(({ column }) => `array_agg(distinct ${column}) filter (where ${column} is not null)`).join(',\n             '))}
      into ${sql.raw(REFERENCES.map(({ column }) => ids(column)).join(', '))}
      from named;
${sql.raw(REFERENCES.map(check).join(''))}
      return null;
    end $$`.execute(db);
  // A trigger with a transition table has one event: one for inserts, one for updates.
  for (const event of ['insert', 'update'] as const) {
    await sql`
      create trigger ${sql.raw(`check_references_after_${event}`)} after ${sql.raw(event)} on price_observations
      referencing new table as changed for each statement execute function check_price_observation_references()`.execute(db);
  }

  // The referred-to side, tg_argv[0] naming the referring column: a delete cascades, clears the
  // column or is refused (tg_argv[1]); a change of a referenced id is refused, as the foreign
  // keys refused it (a row trigger, run only when an id changes).
  await sql`
    create function price_observation_references_deleted() returns trigger language plpgsql as $$
    declare
      referring text := tg_argv[0];
      cited bigint;
    begin
      if tg_argv[1] = 'cascade' then
        execute format('delete from price_observations o using gone g where o.%I = g.id', referring);
      elsif tg_argv[1] = 'set null' then
        execute format('update price_observations o set %1$I = null from gone g where o.%1$I = g.id', referring);
      else
        execute format('select g.id from gone g where exists (select 1 from price_observations o where o.%I = g.id) limit 1', referring)
        into cited;
        if cited is not null then
          raise foreign_key_violation using
            message = format('update or delete on table "%s" violates foreign key constraint "price_observations_%s_fkey" on table "price_observations"',
                             tg_table_name, referring),
            detail = format('Key (id)=(%s) is still referenced from table "price_observations".', cited);
        end if;
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create function price_observation_reference_renumbered() returns trigger language plpgsql as $$
    declare
      cited boolean;
    begin
      execute format('select exists (select 1 from price_observations o where o.%I = $1)', tg_argv[0]) using old.id into cited;
      if cited then
        raise foreign_key_violation using
          message = format('update or delete on table "%s" violates foreign key constraint "price_observations_%s_fkey" on table "price_observations"',
                           tg_table_name, tg_argv[0]),
          detail = format('Key (id)=(%s) is still referenced from table "price_observations".', old.id);
      end if;
      return null;
    end $$`.execute(db);
  for (const reference of REFERENCES) {
    const [column, onDelete] = [sql.lit(reference.column), sql.lit(reference.onDelete)];
    await sql`
      create trigger price_observations_after_delete after delete on ${sql.table(reference.table)}
      referencing old table as gone for each statement
      execute function price_observation_references_deleted(${column}, ${onDelete})`.execute(db);
    await sql`
      create trigger price_observations_after_id_update after update of id on ${sql.table(reference.table)}
      for each row when (old.id is distinct from new.id)
      execute function price_observation_reference_renumbered(${column})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const reference of REFERENCES) {
    await sql`drop trigger price_observations_after_id_update on ${sql.table(reference.table)}`.execute(db);
    await sql`drop trigger price_observations_after_delete on ${sql.table(reference.table)}`.execute(db);
  }
  await sql`drop function price_observation_reference_renumbered()`.execute(db);
  await sql`drop function price_observation_references_deleted()`.execute(db);
  await sql`drop trigger check_references_after_update on price_observations`.execute(db);
  await sql`drop trigger check_references_after_insert on price_observations`.execute(db);
  await sql`drop function check_price_observation_references()`.execute(db);
  // Fails, and changes nothing, if a row refers to something missing: which to keep is a decision to make by hand.
  await sql`
    alter table price_observations
      add constraint price_observations_asset_id_fkey foreign key (asset_id) references assets (id) on delete cascade,
      add constraint price_observations_source_id_fkey foreign key (source_id) references sources (id),
      add constraint price_observations_created_by_api_key_id_fkey foreign key (created_by_api_key_id) references api_keys (id) on delete set null`.execute(
    db,
  );

  await sql`
    create or replace function refresh_price_days() returns trigger language plpgsql as $$
    begin
      insert into price_days (asset_id, day, open, high, low, close, volume, observations)
      select d.asset_id, d.day,
             (array_agg(o.open order by o.at))[1], max(o.high), min(o.low),
             (array_agg(o.close order by o.at desc))[1], sum(o.volume), count(*)
      from (select distinct c.asset_id, (c.at at time zone 'UTC')::date as day from changed c) d
      join price_observations o
        on o.asset_id = d.asset_id
       and o.at >= d.day::timestamp at time zone 'UTC'
       and o.at < (d.day + 1)::timestamp at time zone 'UTC'
      group by d.asset_id, d.day
      on conflict (asset_id, day) do update set
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume = excluded.volume, observations = excluded.observations;
      return null;
    end $$`.execute(db);

  await sql`create index price_observations_asset_high_idx on price_observations (asset_id, high desc, at)`.execute(db);
}
