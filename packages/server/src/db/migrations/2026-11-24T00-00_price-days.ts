import { sql, type Kysely } from 'kysely';

// Frozen. One row per asset and UTC day with that day's open, high, low, close and volume,
// kept by statement-level triggers on price_observations, so that daily, weekly and monthly
// candles over a year read 365 rows instead of half a million minutes.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table price_days (
      asset_id bigint not null references assets (id) on delete cascade,
      day date not null,
      open numeric not null,
      high numeric not null,
      low numeric not null,
      close numeric not null,
      volume numeric,
      observations integer not null,
      primary key (asset_id, day)
    )`.execute(db);

  // Recomputes, from the observations, every day a statement touched. Each trigger names its
  // own transition table: PostgreSQL allows one event per trigger that has one.
  await sql`
    create function refresh_price_days() returns trigger language plpgsql as $$
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
  await sql`
    create trigger price_days_after_insert after insert on price_observations
    referencing new table as changed for each statement execute function refresh_price_days()`.execute(db);
  await sql`
    create trigger price_days_after_update after update on price_observations
    referencing new table as changed for each statement execute function refresh_price_days()`.execute(db);

  // The days of the observations already recorded.
  await sql`
    insert into price_days (asset_id, day, open, high, low, close, volume, observations)
    select o.asset_id, (o.at at time zone 'UTC')::date,
           (array_agg(o.open order by o.at))[1], max(o.high), min(o.low),
           (array_agg(o.close order by o.at desc))[1], sum(o.volume), count(*)
    from price_observations o
    group by o.asset_id, (o.at at time zone 'UTC')::date`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger price_days_after_update on price_observations`.execute(db);
  await sql`drop trigger price_days_after_insert on price_observations`.execute(db);
  await sql`drop function refresh_price_days()`.execute(db);
  await sql`drop table price_days`.execute(db);
}
