import { sql, type Kysely } from 'kysely';

// Frozen. One row per asset and UTC hour with that hour's open, high, low, close, volume and
// number of observations, so that a month of HOUR candles reads 744 rows instead of 44,640
// one-minute observations (pnpm bench:prices).
//
// One trigger function now keeps both rollups, once per statement: the hours a statement
// touched from the observations (one index range per hour), then the days it touched from
// those hours (24 rows a day instead of 1,440 observations). Every hour lies wholly inside one
// UTC day, so a day's first hour holds its open, its last hour its close, and its high, low,
// volume and count are those of its hours: the same values as recomputing the day from its
// observations, which the trigger did until now (refresh_price_days, left for the down migration).
//
// The hours are date_bin's, from a UTC midnight: the buckets HOUR candles were grouped into.
//
// Two transactions writing the same asset at once each recomputed a bucket from the rows their
// own snapshot saw, and the one that committed last overwrote the other's (an hour or a day
// that left out the other's observations). The function now first takes a transaction-long
// advisory lock per asset it touched, in order, and only then reads: a statement in plpgsql
// takes a new snapshot, so the second writer's recomputation sees the first one's rows.

const HOUR = sql`date_bin('1 hour', c.at, timestamptz '2001-01-01 00:00+00')`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table price_hours (
      asset_id bigint not null references assets (id) on delete cascade,
      start timestamptz not null,
      open numeric not null,
      high numeric not null,
      low numeric not null,
      close numeric not null,
      volume numeric,
      observations integer not null,
      primary key (asset_id, start)
    )`.execute(db);

  await sql`
    create function refresh_price_rollups() returns trigger language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(hashtext('minergraph.price_rollups'), a.key)
      from (select distinct (c.asset_id % 2147483648)::integer as key from changed c order by 1) a;

      insert into price_hours (asset_id, start, open, high, low, close, volume, observations)
      select h.asset_id, h.start, agg.open, agg.high, agg.low, agg.close, agg.volume, agg.observations
      from (select c.asset_id, ${HOUR} as start from changed c group by 1, 2) h
      cross join lateral (
        select (select f.open from price_observations f
                where f.asset_id = h.asset_id and f.at >= h.start and f.at < h.start + interval '1 hour'
                order by f.at limit 1) as open,
               max(o.high) as high, min(o.low) as low,
               (select l.close from price_observations l
                where l.asset_id = h.asset_id and l.at >= h.start and l.at < h.start + interval '1 hour'
                order by l.at desc limit 1) as close,
               sum(o.volume) as volume, count(*)::integer as observations
        from price_observations o
        where o.asset_id = h.asset_id and o.at >= h.start and o.at < h.start + interval '1 hour'
      ) agg
      on conflict (asset_id, start) do update set
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume = excluded.volume, observations = excluded.observations;

      insert into price_days (asset_id, day, open, high, low, close, volume, observations)
      select d.asset_id, d.day, agg.open, agg.high, agg.low, agg.close, agg.volume, agg.observations
      from (select c.asset_id, (c.at at time zone 'UTC')::date as day from changed c group by 1, 2) d
      cross join lateral (
        select (select f.open from price_hours f
                where f.asset_id = d.asset_id and f.start >= d.day::timestamp at time zone 'UTC'
                  and f.start < (d.day + 1)::timestamp at time zone 'UTC'
                order by f.start limit 1) as open,
               max(h.high) as high, min(h.low) as low,
               (select l.close from price_hours l
                where l.asset_id = d.asset_id and l.start >= d.day::timestamp at time zone 'UTC'
                  and l.start < (d.day + 1)::timestamp at time zone 'UTC'
                order by l.start desc limit 1) as close,
               sum(h.volume) as volume, sum(h.observations)::integer as observations
        from price_hours h
        where h.asset_id = d.asset_id and h.start >= d.day::timestamp at time zone 'UTC'
          and h.start < (d.day + 1)::timestamp at time zone 'UTC'
      ) agg
      on conflict (asset_id, day) do update set
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
        volume = excluded.volume, observations = excluded.observations;
      return null;
    end $$`.execute(db);

  // A trigger with a transition table has one event: one for inserts, one for updates.
  for (const event of ['insert', 'update'] as const) {
    await sql`drop trigger ${sql.raw(`price_days_after_${event}`)} on price_observations`.execute(db);
    await sql`
      create trigger ${sql.raw(`price_rollups_after_${event}`)} after ${sql.raw(event)} on price_observations
      referencing new table as changed for each statement execute function refresh_price_rollups()`.execute(db);
  }

  // The hours of the observations already recorded (price_days already holds their days).
  await sql`
    insert into price_hours (asset_id, start, open, high, low, close, volume, observations)
    select c.asset_id, ${HOUR},
           (array_agg(c.open order by c.at))[1], max(c.high), min(c.low),
           (array_agg(c.close order by c.at desc))[1], sum(c.volume), count(*)
    from price_observations c
    group by c.asset_id, ${HOUR}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const event of ['insert', 'update'] as const) {
    await sql`drop trigger ${sql.raw(`price_rollups_after_${event}`)} on price_observations`.execute(db);
    await sql`
      create trigger ${sql.raw(`price_days_after_${event}`)} after ${sql.raw(event)} on price_observations
      referencing new table as changed for each statement execute function refresh_price_days()`.execute(db);
  }
  await sql`drop function refresh_price_rollups()`.execute(db);
  await sql`drop table price_hours`.execute(db);
}
