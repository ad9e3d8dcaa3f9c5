import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import {
  adjustmentSteps,
  type AssetInstant,
  type AssetKind,
  type AssetModel,
  type CandleInterval,
  type CandleModel,
  type CorporateActionModel,
  type PriceChangeModel,
  type PricePointModel,
} from '@minergraph/schema';
import type { Selectable } from 'kysely';
import type { AssetRow, CorporateActionsTable, Database } from '../db/database.js';
import { groupedInKeyOrder, inKeyOrder, validIds } from './batch.js';

export function toAsset(row: AssetRow): AssetModel {
  return { id: row.id, symbol: row.symbol, name: row.name, kind: row.kind, quoteCurrency: row.quote_currency };
}

export async function assetsByIds(db: Kysely<Database>, ids: readonly string[]) {
  const wanted = validIds(ids);
  const rows = wanted.length ? await db.selectFrom('assets').selectAll().where('id', 'in', wanted).execute() : [];
  return inKeyOrder(ids, rows.map(toAsset), (asset) => asset.id);
}

export async function assetsBySymbols(db: Kysely<Database>, symbols: readonly string[]) {
  const rows = symbols.length
    ? await db
        .selectFrom('assets')
        .selectAll()
        .where('symbol', 'in', [...new Set(symbols)])
        .execute()
    : [];
  return inKeyOrder(symbols, rows.map(toAsset), (asset) => asset.symbol);
}

export async function listAssets(db: Kysely<Database>, kind: AssetKind | null) {
  let query = db.selectFrom('assets').selectAll().orderBy('symbol');
  if (kind) query = query.where('kind', '=', kind);
  return (await query.execute()).map(toAsset);
}

interface PointRow {
  asset_id: string;
  at: Date;
  price: string;
  source_id: string | null;
}

const toPoint = (row: PointRow): PricePointModel => ({
  assetId: row.asset_id,
  at: row.at,
  priceUsd: row.price,
  sourceId: row.source_id,
});

/** The last observation at or before each instant: one index probe per key, one statement. */
export async function pricesAt(db: Kysely<Database>, keys: readonly AssetInstant[]): Promise<(PricePointModel | null)[]> {
  const { rows } = await sql<PointRow & { position: string }>`
    select k.position, p.asset_id, p.at, p.close as price, p.source_id
    from unnest(${keys.map((k) => k.assetId)}::bigint[], ${keys.map((k) => k.at.toISOString())}::timestamptz[])
         with ordinality as k(asset_id, at, position)
    left join lateral (
      select o.asset_id, o.at, o.close, o.source_id from price_observations o
      where o.asset_id = k.asset_id and o.at <= k.at
      order by o.at desc limit 1
    ) p on true
    order by k.position`.execute(db);
  return rows.map((row) => (row.at === null ? null : toPoint(row)));
}

export async function latestPrices(db: Kysely<Database>, assetIds: readonly string[]) {
  const { rows } = await sql<PointRow>`
    select p.asset_id, p.at, p.close as price, p.source_id
    from unnest(${validIds(assetIds)}::bigint[]) as k(asset_id)
    join lateral (
      select o.asset_id, o.at, o.close, o.source_id from price_observations o
      where o.asset_id = k.asset_id order by o.at desc limit 1
    ) p on true`.execute(db);
  return inKeyOrder(assetIds, rows.map(toPoint), (point) => point.assetId);
}

/**
 * The observation with the highest high (the earliest, if several share it), found through
 * price_days: the earliest day whose high is the highest, then the earliest observation of
 * that day at that high. A day's high is the highest of its observations, so both are the same
 * observation as the highest of the whole series, and no index over prices has to be kept up
 * by every write.
 */
export async function allTimeHighs(db: Kysely<Database>, assetIds: readonly string[]) {
  const { rows } = await sql<PointRow>`
    select p.asset_id, p.at, p.high as price, p.source_id
    from unnest(${validIds(assetIds)}::bigint[]) as k(asset_id)
    join lateral (
      select d.day, d.high from price_days d where d.asset_id = k.asset_id order by d.high desc, d.day limit 1
    ) top on true
    join lateral (
      select o.asset_id, o.at, o.high, o.source_id from price_observations o
      where o.asset_id = k.asset_id and o.at >= ${utcDayStart('top.day')} and o.at < ${utcDayStart('top.day + 1')}
        and o.high = top.high
      order by o.at limit 1
    ) p on true`.execute(db);
  return inKeyOrder(assetIds, rows.map(toPoint), (point) => point.assetId);
}

/** The instant a UTC day (a SQL date expression) starts. */
const utcDayStart = (day: string) => sql`(${sql.raw(day)})::timestamp at time zone 'UTC'`;

/**
 * date_bin's origin for hour and day buckets: a UTC midnight. date_bin works on the instant
 * itself, so the session's time zone never moves a bucket.
 */
const BIN_ORIGIN = sql`timestamptz '2001-01-01 00:00+00'`;

const BUCKET_UNIT: Record<CandleInterval, string> = { HOUR: 'hour', DAY: 'day', WEEK: 'week', MONTH: 'month' };

/**
 * How many of today's units one unit of a row became, as SQL over the row: `o.at` of an
 * observation, `h.start` of a price_hours row or `d.day` of a price_days row; null for prices as
 * observed. A change takes effect at a UTC midnight, so every instant of an hour or a day shares one.
 */
export type UnitsSince = (of: RowOf) => RawBuilder<unknown> | null;

type RowOf = 'observation' | 'hour' | 'day';

/** The instant (or, of a price_days row, the day) of a row that unitsSince reads. */
const ROW_TIME: Record<RowOf, string> = { observation: 'o.at', hour: 'h.start', day: 'd.day' };

/**
 * How many of today's units one unit observed at `o.at` (or on the day `d.day`) became, as SQL:
 * the steps of adjustmentSteps (@minergraph/schema, the one home of which changes adjust which
 * prices) as one case. The changes are few and known, so they are written into the query and
 * the time-range scans stay on the index.
 */
function unitsSince(adjustments: readonly CorporateActionModel[], of: RowOf = 'observation') {
  const steps = adjustmentSteps(adjustments);
  if (steps.length === 0) return null;
  const time = sql.raw(ROW_TIME[of]);
  const before = (day: string) => (of === 'day' ? sql`${time} < ${day}::date` : sql`${time} < ${day}::date::timestamp at time zone 'UTC'`);
  const whens = steps.map(
    (step) =>
      sql`when ${before(step.effectiveOn)} then ${sql.join(
        step.ratios.map((ratio) => sql`${ratio}::numeric`),
        sql` * `,
      )}`,
  );
  return sql`case ${sql.join(whens, sql` `)} else 1 end`;
}

/**
 * unitsSince read by the statement itself from corporate_actions, for SQL written before the
 * changes are known (look-ahead plans): the step of a row is how many change days fall on or
 * before its UTC day (width_bucket over the days, oldest first), and its units the product of
 * the ratios of the changes after that step's day. Both arrays are uncorrelated subqueries, so
 * they are computed once per statement, not per row. Same products as unitsSince's, so the same
 * quotients; only for an asset that has changes, as unitsSince is null without any.
 */
export function recordedUnitsSince(assetId: Expression<unknown>): UnitsSince {
  const changes = sql`corporate_actions c where c.asset_id = ${assetId}`;
  const units = sql`(array(
    select (select minergraph_product(later.ratio) from corporate_actions later
            where later.asset_id = ${assetId} and later.effective_on > step.day)
    from (select '-infinity'::date as day union all select c.effective_on from ${changes}) step
    order by step.day))`;
  return (of) => {
    const days =
      of === 'day'
        ? sql`array(select c.effective_on from ${changes} order by c.effective_on)`
        : sql`array(select c.effective_on::timestamp at time zone 'UTC' from ${changes} order by c.effective_on)`;
    return sql`${units}[width_bucket(${sql.raw(ROW_TIME[of])}, ${days}) + 1]`;
  };
}

/** A price column as comparable with today's units, rounded half-up at 8 places like every derived decimal. */
function adjustedPrice(column: string, units: RawBuilder<unknown> | null, table = 'o') {
  return units ? sql`round(${sql.ref(`${table}.${column}`)} / (${units}), 8)` : sql.ref(`${table}.${column}`);
}

export async function corporateActionsByAssetIds(db: Kysely<Database>, assetIds: readonly string[]): Promise<CorporateActionModel[][]> {
  const wanted = validIds(assetIds);
  const rows = wanted.length
    ? await db.selectFrom('corporate_actions').selectAll().where('asset_id', 'in', wanted).orderBy('effective_on').execute()
    : [];
  return groupedInKeyOrder(assetIds, rows.map(toCorporateAction), (action) => action.assetId);
}

export function toCorporateAction(row: Selectable<CorporateActionsTable>): CorporateActionModel {
  return {
    id: row.id,
    assetId: row.asset_id,
    effectiveOn: row.effective_on,
    ratio: row.ratio,
    description: row.description,
    sourceId: row.source_id,
  };
}

/**
 * The observation with the highest adjusted high (the earliest, if several share it). A day's
 * observations share one adjustment, and dividing by it and rounding never reorder two prices,
 * so the earliest day whose adjusted high is the highest holds the observation sought.
 */
export async function adjustedAllTimeHigh(
  db: Kysely<Database>,
  assetId: string,
  adjustments: readonly CorporateActionModel[],
): Promise<PricePointModel | null> {
  const { rows } = await sql<PointRow>`
    with top as (
      select d.day, ${adjustedPrice('high', unitsSince(adjustments, 'day'), 'd')} as high from price_days d
      where d.asset_id = ${assetId}::bigint
      order by high desc, d.day limit 1
    )
    select o.asset_id, o.at, ${adjustedPrice('high', unitsSince(adjustments))} as price, o.source_id
    from top, price_observations o
    where o.asset_id = ${assetId}::bigint and o.at >= ${utcDayStart('top.day')} and o.at < ${utcDayStart('top.day + 1')}
      and ${adjustedPrice('high', unitsSince(adjustments))} = top.high
    order by o.at limit 1`.execute(db);
  return rows[0] ? toPoint(rows[0]) : null;
}

const HOUR_MS = 3_600_000;

export async function candles(
  db: Kysely<Database>,
  assetId: string,
  from: Date,
  to: Date,
  interval: CandleInterval,
  adjustments: readonly CorporateActionModel[] = [],
): Promise<CandleModel[]> {
  const { rows } = await candleRows(sql`${assetId}::bigint`, from, to, interval, (of) => unitsSince(adjustments, of)).execute(db);
  return rows;
}

/**
 * The candles of buckets that start in [from, to), in UTC, oldest first, as one query (the
 * resolvers run it, look-ahead nests it in its statement). HOUR candles are the price_hours rows
 * (a row per asset and UTC hour, kept by triggers) from the first hour at or after `from` to the
 * first at or after `to`: a month is 744 rows. An hour's observations share one adjustment, and
 * dividing by it and rounding are monotonic, so the answer equals bucketing the observations.
 */
export function candleRows(
  assetId: Expression<unknown>,
  from: Date,
  to: Date,
  interval: CandleInterval,
  unitsOf: UnitsSince,
): RawBuilder<CandleModel> {
  if (interval !== 'HOUR') return candlesFromDays(assetId, from, to, BUCKET_UNIT[interval], unitsOf('day'));
  const units = unitsOf('hour');
  const firstHour = new Date(Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS);
  const endHour = new Date(Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS);
  return sql<CandleModel>`
    select h.start,
           ${adjustedPrice('open', units, 'h')} as open, ${adjustedPrice('high', units, 'h')} as high,
           ${adjustedPrice('low', units, 'h')} as low, ${adjustedPrice('close', units, 'h')} as close,
           ${units ? sql`h.volume * (${units})` : sql`h.volume`} as volume
    from price_hours h
    where h.asset_id = ${assetId}
      and h.start >= ${firstHour.toISOString()}::timestamptz and h.start < ${endHour.toISOString()}::timestamptz
    order by h.start`;
}

/**
 * DAY, WEEK and MONTH candles from price_days (a row per asset and UTC day, kept by triggers):
 * a year is 365 rows. Every day lies wholly inside one bucket, and rounding is monotonic, so the
 * answer equals bucketing the observations themselves.
 */
function candlesFromDays(
  assetId: Expression<unknown>,
  from: Date,
  to: Date,
  unit: string,
  units: RawBuilder<unknown> | null,
): RawBuilder<CandleModel> {
  return sql<CandleModel>`
    with days as (
      select (date_trunc(${unit}, d.day::timestamp) at time zone 'UTC') as start, d.day,
             ${adjustedPrice('open', units, 'd')} as open, ${adjustedPrice('high', units, 'd')} as high,
             ${adjustedPrice('low', units, 'd')} as low, ${adjustedPrice('close', units, 'd')} as close,
             ${units ? sql`d.volume * (${units})` : sql`d.volume`} as volume
      from price_days d
      where d.asset_id = ${assetId}
        and d.day >= (${from.toISOString()}::timestamptz at time zone 'UTC')::date
        and d.day < (date_trunc(${unit}, ${to.toISOString()}::timestamptz at time zone 'UTC') + ${`1 ${unit}`}::interval)::date
    )
    select start,
           (array_agg(open order by day))[1] as open,
           max(high) as high,
           min(low) as low,
           (array_agg(close order by day desc))[1] as close,
           sum(volume) as volume
    from days
    where start >= ${from.toISOString()}::timestamptz and start < ${to.toISOString()}::timestamptz
    group by start
    order by start`;
}

/**
 * From the last observation at or before `from` to the last at or before `to`, with the highest
 * high and lowest low between them (both ends included). The UTC days wholly between the two
 * are read from price_days; only the part days at either end from the observations.
 */
export async function priceChange(
  db: Kysely<Database>,
  assetId: string,
  from: Date,
  to: Date | null,
  adjustments: readonly CorporateActionModel[] = [],
): Promise<PriceChangeModel | null> {
  const units = unitsSince(adjustments);
  const dayUnits = unitsSince(adjustments, 'day');
  const { rows } = await sql<{
    from_at: Date;
    from_price: string;
    from_source: string | null;
    to_at: Date;
    to_price: string;
    to_source: string | null;
    high: string;
    low: string;
  }>`
    with start_point as (
      select o.at, ${adjustedPrice('close', units)} as close, o.source_id from price_observations o
      where o.asset_id = ${assetId}::bigint and o.at <= ${from.toISOString()}::timestamptz
      order by o.at desc limit 1
    ), end_point as (
      select o.at, ${adjustedPrice('close', units)} as close, o.source_id from price_observations o
      where o.asset_id = ${assetId}::bigint and o.at <= ${to ? sql`${to.toISOString()}::timestamptz` : sql`'infinity'::timestamptz`}
      order by o.at desc limit 1
    ), whole_days as (
      -- [first_day, end_day): the first midnight at or after the start (a timestamptz counts in
      -- microseconds), and the last midnight at or before the end, never before the first.
      select date_bin('1 day', s.at - interval '1 microsecond', ${BIN_ORIGIN}) + interval '1 day' as first_day,
             greatest(date_bin('1 day', e.at, ${BIN_ORIGIN}), date_bin('1 day', s.at - interval '1 microsecond', ${BIN_ORIGIN}) + interval '1 day') as end_day
      from start_point s, end_point e
    )
    select s.at as from_at, s.close as from_price, s.source_id as from_source,
           e.at as to_at, e.close as to_price, e.source_id as to_source,
           range.high, range.low
    from start_point s, end_point e, whole_days w,
    lateral (
      select max(high) as high, min(low) as low from (
        select ${adjustedPrice('high', units)} as high, ${adjustedPrice('low', units)} as low from price_observations o
        where o.asset_id = ${assetId}::bigint and o.at >= s.at and o.at < w.first_day and o.at <= e.at
        union all
        select ${adjustedPrice('high', dayUnits, 'd')}, ${adjustedPrice('low', dayUnits, 'd')} from price_days d
        where d.asset_id = ${assetId}::bigint
          and d.day >= (w.first_day at time zone 'UTC')::date and d.day < (w.end_day at time zone 'UTC')::date
        union all
        select ${adjustedPrice('high', units)}, ${adjustedPrice('low', units)} from price_observations o
        where o.asset_id = ${assetId}::bigint and o.at >= w.end_day and o.at <= e.at
      ) parts
    ) range`.execute(db);
  const row = rows[0];
  if (!row) return null;
  return {
    from: { assetId, at: row.from_at, priceUsd: row.from_price, sourceId: row.from_source },
    to: { assetId, at: row.to_at, priceUsd: row.to_price, sourceId: row.to_source },
    high: row.high,
    low: row.low,
  };
}

export async function insertAsset(
  db: Kysely<Database>,
  asset: { symbol: string; name: string; kind: AssetKind; quoteCurrency?: string; createdByApiKeyId?: string | null },
): Promise<AssetModel> {
  const row = await db
    .insertInto('assets')
    .values({
      symbol: asset.symbol,
      name: asset.name,
      kind: asset.kind,
      quote_currency: asset.quoteCurrency ?? 'USD',
      created_by_api_key_id: asset.createdByApiKeyId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAsset(row);
}

export interface NewPricePoint {
  at: Date;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string | null;
}

/**
 * Inserts or replaces observations by (asset, at); says how many of each. Each batch is one
 * statement with one array per column (unnest), so its parameter count does not grow with
 * the number of rows.
 */
export async function upsertPrices(
  db: Kysely<Database>,
  assetId: string,
  points: readonly NewPricePoint[],
  options: { sourceId?: string | null; createdByApiKeyId?: string | null } = {},
): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  for (let start = 0; start < points.length; start += UPSERT_BATCH) {
    const batch = points.slice(start, start + UPSERT_BATCH);
    const { rows } = await sql<{ inserted: number; updated: number }>`
      with upserted as (
        insert into price_observations (asset_id, at, open, high, low, close, volume, source_id, created_by_api_key_id)
        select ${assetId}::bigint, p.at, p.open, p.high, p.low, p.close, p.volume, ${options.sourceId ?? null}::bigint,
               ${options.createdByApiKeyId ?? null}::bigint
        from unnest(
          ${batch.map((p) => p.at.toISOString())}::timestamptz[], ${batch.map((p) => p.open)}::numeric[],
          ${batch.map((p) => p.high)}::numeric[], ${batch.map((p) => p.low)}::numeric[],
          ${batch.map((p) => p.close)}::numeric[], ${batch.map((p) => p.volume)}::numeric[]
        ) as p(at, open, high, low, close, volume)
        on conflict (asset_id, at) do update set
          open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
          volume = excluded.volume, source_id = excluded.source_id
        -- xmax is 0 only for a freshly inserted row version: it tells inserts from updates.
        returning (xmax = 0) as fresh
      )
      select count(*) filter (where fresh)::int as inserted, count(*) filter (where not fresh)::int as updated
      from upserted`.execute(db);
    inserted += rows[0]!.inserted;
    updated += rows[0]!.updated;
  }
  return { inserted, updated };
}

const UPSERT_BATCH = 10_000;

export async function insertCorporateAction(
  db: Kysely<Database>,
  action: {
    assetId: string;
    effectiveOn: string;
    ratio: string;
    description: string;
    sourceId: string | null;
    createdByApiKeyId?: string | null;
  },
): Promise<CorporateActionModel> {
  const row = await db
    .insertInto('corporate_actions')
    .values({
      asset_id: action.assetId,
      effective_on: action.effectiveOn,
      ratio: action.ratio,
      description: action.description,
      source_id: action.sourceId,
      created_by_api_key_id: action.createdByApiKeyId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCorporateAction(row);
}
