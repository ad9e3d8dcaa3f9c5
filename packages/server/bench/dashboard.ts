// The dashboard of issue 3 and a plain list of companies (issue 13), each twice: as the GraphQL
// operation clients send, and as the one SQL statement a hand-written endpoint (the floor,
// floor.ts) would run to answer the same JSON. pnpm bench checks that both answer the same
// before it measures either.

export const DASHBOARD_COMPANIES = 50;
export const DASHBOARD_DAY = '2026-01-31';

export const DASHBOARD_QUERY = `query Dashboard($first: Int!, $on: Date!) {
  companies(first: $first, orderBy: TICKER_ASC) {
    edges { node {
      ticker
      sites(first: 5) { totalCount edges { node { name region hashrateEh } } }
      siteSummary { siteCount totalHashrateEh regions { region siteCount hashrateEh } }
      holdings(on: $on) { btc valueUsd pledgedBtc }
      loans { outstandingUsd ltv marginCallPriceUsd }
      stock { latestPrice { at priceUsd } }
      productionReports(first: 12) { edges { node { periodEnd minedBtc btcPerDay } } }
    } }
  }
}`;

export const DASHBOARD_VARIABLES = { first: DASHBOARD_COMPANIES, on: DASHBOARD_DAY };

/**
 * $1: how many companies, $2: the day of the holdings. Decimals print as the API prints them
 * (trim_scale: "7474.6", not "7474.60000000"); quotients round half-up to 8 places. Ordering,
 * and what counts (the anchor rule of holdings, which loans pledge collateral), as in the
 * repositories. The one thing it skips is equity price adjustment, which changes nothing here.
 */
export const DASHBOARD_SQL = `
with btc as (
  select id from assets where symbol = 'BTC'
), latest_btc as (
  select o.close from price_observations o join btc on o.asset_id = btc.id order by o.at desc limit 1
), page as (
  select * from companies order by ticker limit $1
)
select json_build_object('data', json_build_object('companies', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object(
    'ticker', c.ticker,
    'sites', json_build_object('totalCount', summary.site_count, 'edges', coalesce(first_sites.edges, '[]'::json)),
    'siteSummary', json_build_object(
      'siteCount', summary.site_count,
      'totalHashrateEh', trim_scale(summary.hashrate)::text,
      'regions', coalesce(summary.regions, '[]'::json)),
    'holdings', json_build_object(
      'btc', trim_scale(held.btc)::text,
      'valueUsd', trim_scale(held.btc * btc_close.close)::text,
      'pledgedBtc', trim_scale(pledged.btc)::text),
    'loans', coalesce(company_loans.loans, '[]'::json),
    'stock', case when stock.id is null then null else json_build_object('latestPrice', stock_price.point) end,
    'productionReports', json_build_object('edges', coalesce(reports.edges, '[]'::json))
  ))
  order by c.ticker), '[]'::json)))) as body
from page c
left join lateral (
  select coalesce(sum(r.site_count), 0)::int as site_count, coalesce(sum(r.hashrate), 0) as hashrate,
         json_agg(json_build_object('region', r.region, 'siteCount', r.site_count, 'hashrateEh', trim_scale(r.hashrate)::text) order by r.region) as regions
  from (select s.region, count(*)::int as site_count, coalesce(sum(s.hashrate_eh), 0) as hashrate
        from sites s where s.company_id = c.id group by s.region) r
) summary on true
left join lateral (
  select json_agg(json_build_object('node', json_build_object('name', s.name, 'region', s.region, 'hashrateEh', trim_scale(s.hashrate_eh)::text))
                  order by s.name, s.id) as edges
  from (select * from sites s where s.company_id = c.id order by s.name, s.id limit 5) s
) first_sites on true
left join lateral (
  select a.btc as anchor_btc, a.reported_on as anchor_on from holdings_reports a
  where a.company_id = c.id and a.reported_on <= $2::date order by a.reported_on desc limit 1
) anchor on true
left join lateral (
  select coalesce(anchor.anchor_btc, 0) + coalesce(sum(case when t.kind = 'SOLD' then -t.btc else t.btc end), 0) as btc
  from treasury_transactions t
  where t.company_id = c.id and t.occurred_on <= $2::date and t.occurred_on > coalesce(anchor.anchor_on, '-infinity'::date)
) held on true
left join lateral (
  select o.close from price_observations o join btc on o.asset_id = btc.id
  where o.at <= ($2::date + 1)::timestamp at time zone 'UTC' - interval '1 millisecond'
  order by o.at desc limit 1
) btc_close on true
left join lateral (
  select coalesce(sum(coalesce(l.initial_collateral_btc, 0) - coalesce(r.released, 0)), 0) as btc
  from loans l
  left join lateral (
    select sum(amount_usd) as repaid, sum(collateral_released_btc) as released
    from loan_repayments where loan_id = l.id and paid_on <= $2::date
  ) r on true
  where l.company_id = c.id and l.status <> 'DEFAULTED'
    and (l.originated_on is null or l.originated_on <= $2::date)
    and (l.principal_usd is null or coalesce(r.repaid, 0) < l.principal_usd)
) pledged on true
left join lateral (
  select json_agg(json_build_object(
    'outstandingUsd', trim_scale(o.outstanding)::text,
    'ltv', case when o.outstanding is null or o.collateral = 0 or (select close from latest_btc) is null then null
                else round(o.outstanding / (o.collateral * (select close from latest_btc)), 8)::float8 end,
    'marginCallPriceUsd', case when o.outstanding is null or o.margin_call_ltv is null or o.margin_call_ltv <= 0 or o.collateral = 0 then null
                else trim_scale(round(o.outstanding / (o.collateral * o.margin_call_ltv::numeric), 8))::text end
  ) order by o.originated_on nulls last, o.id) as loans
  from (
    select l.id, l.originated_on, l.margin_call_ltv,
           l.principal_usd - coalesce(r.repaid, 0) as outstanding,
           coalesce(l.initial_collateral_btc, 0) - coalesce(r.released, 0) as collateral
    from loans l
    left join lateral (select sum(amount_usd) as repaid, sum(collateral_released_btc) as released from loan_repayments where loan_id = l.id) r on true
    where l.company_id = c.id
  ) o
) company_loans on true
left join assets stock on stock.symbol = c.ticker and stock.kind = 'EQUITY'
left join lateral (
  select json_build_object('at', to_char(o.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'priceUsd', trim_scale(o.close)::text) as point
  from price_observations o where o.asset_id = stock.id order by o.at desc limit 1
) stock_price on true
left join lateral (
  select json_agg(json_build_object('node', json_build_object(
           'periodEnd', p.period_end, 'minedBtc', trim_scale(p.mined_btc)::text,
           'btcPerDay', trim_scale(round(p.mined_btc / (p.period_end - p.period_start + 1), 8))::text))
         order by p.period_end desc, p.id desc) as edges
  from (select * from production_reports p where p.company_id = c.id order by p.period_end desc, p.id desc limit 12) p
) reports on true`;

/** The cheapest useful read: one page of companies, two columns each. */
export const LIST_QUERY = `query List($first: Int!) { companies(first: $first) { edges { node { ticker name } } } }`;
export const LIST_VARIABLES = { first: DASHBOARD_COMPANIES };

/** $1: how many companies; by ticker, the list's default order. */
export const LIST_SQL = `
select json_build_object('data', json_build_object('companies', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object('ticker', c.ticker, 'name', c.name)) order by c.ticker), '[]'::json)))) as body
from (select ticker, name from companies order by ticker limit $1) c`;
