import { sql, type Kysely } from 'kysely';

// Frozen. Holdings of a company at the end of a day (docs/domain.md), written once in the
// database so that the answers (holdings, treasuryFlow, the write guards) and the HOLDINGS_DESC
// order of companies compute the same rule: the last report on or before the day, plus flows
// after the report's day up to the day; without a report, all flows up to the day. One row,
// always, with the anchor report's columns (null without one) and the btc.
//
// A `language sql`, `stable`, non-strict set-returning function whose body is one select is
// inlined by the planner into the calling query, as if its select were written there: the
// flows after the anchor stay a range on treasury_transactions_company_day_idx
// (company_id, occurred_on), and a call per company in a lateral join or a subquery costs no
// function call. Arguments are named by the function (`holdings_on.company_id`) because a
// column of the same name would otherwise take precedence.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function holdings_on(company_id bigint, day date)
    returns table (anchor_id bigint, anchor_on date, anchor_btc numeric, anchor_source_id bigint, anchor_basis text, btc numeric)
    language sql stable as $$
      select a.id, a.reported_on, a.btc, a.source_id, a.basis, coalesce(a.btc, 0) + coalesce(f.flow, 0)
      from (select) one
      left join lateral (
        select h.id, h.reported_on, h.btc, h.source_id, h.basis from holdings_reports h
        where h.company_id = holdings_on.company_id and h.reported_on <= holdings_on.day
        order by h.reported_on desc limit 1
      ) a on true
      left join lateral (
        -- A range on (company_id, occurred_on), which the index answers; "no anchor or
        -- occurred_on > anchor" would read every flow of the company up to the day.
        select sum(case when t.kind = 'SOLD' then -t.btc else t.btc end) as flow from treasury_transactions t
        where t.company_id = holdings_on.company_id and t.occurred_on <= holdings_on.day
          and t.occurred_on > coalesce(a.reported_on, '-infinity'::date)
      ) f on true
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function holdings_on(bigint, date)`.execute(db);
}
