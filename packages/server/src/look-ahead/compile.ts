// Look-ahead (what PostGraphile and Hasura do): a query whose every selected field is one this
// file knows is compiled into ONE SQL statement that builds the whole `data` object as JSON in
// PostgreSQL, so the server neither runs a resolver per field nor parses rows per table. Each
// field is built by the rule its resolver applies (the schema package's types/*.ts, which stay
// the schema and the reference), over the same tables and with the repositories' own filters.
// A field, argument or case this file does not know throws NotCompilable: the query then runs
// through the resolvers as before, so an answer is never different, only cheaper. Tested by
// compiling and executing the same operations both ways (test/look-ahead.db.test.ts) and by
// pnpm bench's byte-for-byte answers.
import { isNonNullType, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { sql, type Expression, type RawBuilder } from 'kysely';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  candleWindow,
  endOfDay,
  type CandleInterval,
  type CompanyFilter,
  type SiteFilter,
} from '@minergraph/schema';
import { candleRows, recordedUnitsSince, type UnitsSince } from '../repositories/asset.repository.js';
import { companyFilter } from '../repositories/company.repository.js';
import { LOANS_WITH_TOTALS, pledgedOn } from '../repositories/loan.repository.js';
import { reportFilter } from '../repositories/production.repository.js';
import { regionsOf, siteFilter } from '../repositories/site.repository.js';
import { notCompilable, selectionsOf, TYPENAME, type Operation, type Selected } from './selection.js';

type Json = RawBuilder<unknown>;
type FieldCompilers = Record<string, (selected: Selected) => Json>;

/** json_build_object takes at most 100 arguments: 50 keys. */
const MAX_KEYS = 50;

/** A JSON object of the selected fields, in the order graphql-js answers them. */
function object(typeName: string, selections: Selected[], fields: FieldCompilers): Json {
  if (selections.length > MAX_KEYS) notCompilable(`more than ${MAX_KEYS} fields of ${typeName}`);
  // Response names are GraphQL names ([_A-Za-z][_0-9A-Za-z]*), safe as literals.
  const pairs = selections.map((selected) => {
    const key = sql.lit(selected.responseName);
    if (selected.field === TYPENAME) return sql`${key}, ${sql.lit(typeName)}::text`;
    const compile = fields[selected.field.name] ?? notCompilable(`${typeName}.${selected.field.name}`);
    return sql`${key}, ${compile(selected)}`;
  });
  return sql`json_build_object(${sql.join(pairs)})`;
}

/** A decimal as the Decimal scalar prints it: no exponent, no trailing zeros (canonical()). */
const decimal = (value: Expression<unknown>) => sql`trim_scale(${value})::text`;
/** An instant as the DateTime scalar prints it (toISOString). */
const instant = (value: Expression<unknown>) => sql`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/**
 * A derived quotient rounded half-up to 8 places (divide() and toRoundedFloat() in
 * @minergraph/schema): divided to 40 places first, as decimal.js divides to 60 digits, so the
 * rounding sees the same digits.
 */
const quotient = (numerator: Expression<unknown>, denominator: Expression<unknown>) =>
  sql`round((${numerator})::numeric(1000, 40) / (${denominator}), 8)`;

class Aliases {
  private next = 0;
  take(prefix: string): string {
    this.next += 1;
    return `${prefix}${this.next}`;
  }
}

const column = (row: string, name: string) => sql.ref(`${row}.${name}`);
const globalId = (typeName: string, row: string) =>
  sql`encode(convert_to(${sql.lit(`${typeName}:`)} || ${column(row, 'id')}, 'UTF8'), 'base64')`;

/** A connection page (first only, from the start), its totalCount and pageInfo, the Pothos relay shape. */
function connection(
  selected: Selected,
  name: string,
  options: {
    first: number;
    /** The page's rows, in order, `first` of them (or first + 1), under alias `row`. */
    rows(row: string, limit: number): Json;
    order(row: string): Json;
    count: Json;
    node(row: string, selections: Selected[]): Json;
  },
  aliases: Aliases,
): Json {
  const { first } = options;
  return object(`${name}Connection`, selected.of(`${name}Connection`), {
    totalCount: () => options.count,
    edges: (edges) => {
      const row = aliases.take('r');
      const edge = object(`${name}Edge`, edges.of(`${name}Edge`), {
        node: (node) => options.node(row, node.of(name)),
      });
      return sql`coalesce((select json_agg(${edge} order by ${options.order(row)}) from (${options.rows(row, first)}) ${sql.id(row)}), '[]'::json)`;
    },
    pageInfo: (pageInfo) =>
      object('PageInfo', pageInfo.of('PageInfo'), {
        hasNextPage: () => {
          const row = aliases.take('n');
          return sql`(select count(*) > ${first} from (${options.rows(row, first + 1)}) ${sql.id(row)})`;
        },
        hasPreviousPage: () => sql`false`,
      }),
  });
}

/** `first` as pageRequest() takes it, or NotCompilable where it would refuse it (the resolver words the error). */
function firstOf(args: Record<string, unknown>): number {
  if (args.after != null) notCompilable('after');
  const first = (args.first as number | null | undefined) ?? DEFAULT_PAGE_SIZE;
  if (first < 0 || first > MAX_PAGE_SIZE) notCompilable('first out of range');
  return first;
}

interface Compiled {
  sql: Json;
  /** The root fields by response name: what an answer that failed as a whole holds (plugin.ts). */
  roots: { key: string; typename: boolean; nonNull: boolean }[];
}

/**
 * The operation as one SQL statement answering `{ "data": ... }`'s data, or NotCompilable.
 * `today` is the request's UTC day, the default of `holdings(on:)`.
 */
export function compileQuery(
  schema: GraphQLSchema,
  operationNode: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  today: string,
): Compiled {
  if (operationNode.operation !== 'query') notCompilable('not a query');
  const operation: Operation = { schema, fragments, variables };
  const aliases = new Aliases();
  const queryType = schema.getQueryType()!;
  const btcId = sql`(select id from assets where symbol = 'BTC')`;
  const latestBtc = (field: 'close' | 'at') =>
    sql`(select o.${sql.ref(field)} from price_observations o where o.asset_id = ${btcId} order by o.at desc limit 1)`;

  const company = (row: string, selections: Selected[]): Json =>
    object('Company', selections, {
      id: () => globalId('Company', row),
      name: () => column(row, 'name'),
      ticker: () => column(row, 'ticker'),
      exchange: () => column(row, 'exchange'),
      businessLines: () => sql`to_json(${column(row, 'business_lines')})`,
      sites: (selected) => {
        const first = firstOf(selected.args);
        const given = (selected.args.filter ?? {}) as Partial<SiteFilter>;
        const filter = siteFilter({ regions: given.regions ?? null, status: given.status ?? null, purpose: given.purpose ?? null });
        return connection(
          selected,
          'Site',
          {
            first,
            rows: (_row, limit) =>
              sql`select * from sites s where s.company_id = ${column(row, 'id')} and ${filter} order by s.name, s.id limit ${limit}`,
            order: (r) => sql`${column(r, 'name')}, ${column(r, 'id')}`,
            count: sql`(select count(*)::int from sites s where s.company_id = ${column(row, 'id')} and ${filter})`,
            node: site,
          },
          aliases,
        );
      },
      siteSummary: (selected) => {
        const regions = aliases.take('g');
        const region = (selections: Selected[]) =>
          object('RegionSummary', selections, {
            region: () => column(regions, 'region'),
            siteCount: () => column(regions, 'site_count'),
            powerCapacityMw: () => decimal(column(regions, 'power')),
            hashrateEh: () => decimal(column(regions, 'hashrate')),
          });
        const byRegion = sql`${regionsOf(column(row, 'id'))} ${sql.id(regions)}`;
        const total = (name: string) => decimal(sql`coalesce((select sum(${column(regions, name)}) from ${byRegion}), 0)`);
        return object('SiteSummary', selected.of('SiteSummary'), {
          siteCount: () => sql`(select coalesce(sum(${column(regions, 'site_count')}), 0)::int from ${byRegion})`,
          reportedSiteCount: () => column(row, 'reported_site_count'),
          reportedRegions: () => sql`to_json(${column(row, 'reported_regions')})`,
          regions: (list) =>
            sql`coalesce((select json_agg(${region(list.of('RegionSummary'))} order by ${column(regions, 'region')}) from ${byRegion}), '[]'::json)`,
          totalPowerCapacityMw: () => total('power'),
          totalHashrateEh: () => total('hashrate'),
        });
      },
      holdings: (selected) => holdings(row, selected),
      loans: (selected) => loans(row, selected),
      stock: (selected) => {
        const asset = aliases.take('a');
        return sql`(select ${object('Asset', selected.of('Asset'), assetFields(asset))} from assets ${sql.id(asset)}
          where ${column(asset, 'symbol')} = ${column(row, 'ticker')} and ${column(asset, 'kind')} = 'EQUITY')`;
      },
      productionReports: (selected) => {
        const first = firstOf(selected.args);
        const filter = reportFilter({ periodEndFrom: (selected.args.periodEndFrom as string | null | undefined) ?? null });
        return connection(
          selected,
          'ProductionReport',
          {
            first,
            rows: (_row, limit) =>
              sql`select * from production_reports p where p.company_id = ${column(row, 'id')} and ${filter}
                  order by p.period_end desc, p.id desc limit ${limit}`,
            order: (r) => sql`${column(r, 'period_end')} desc, ${column(r, 'id')} desc`,
            count: sql`(select count(*)::int from production_reports p where p.company_id = ${column(row, 'id')} and ${filter})`,
            node: productionReport,
          },
          aliases,
        );
      },
    });

  const site = (row: string, selections: Selected[]): Json =>
    object('Site', selections, {
      id: () => globalId('Site', row),
      name: () => column(row, 'name'),
      region: () => column(row, 'region'),
      country: () => column(row, 'country'),
      status: () => column(row, 'status'),
      purpose: () => column(row, 'purpose'),
      powerCapacityMw: () => decimal(column(row, 'power_capacity_mw')),
      hashrateEh: () => decimal(column(row, 'hashrate_eh')),
      gridConnected: () => column(row, 'grid_connected'),
      commissionedOn: () => column(row, 'commissioned_on'),
    });

  const productionReport = (row: string, selections: Selected[]): Json => {
    const days = sql`(${column(row, 'period_end')} - ${column(row, 'period_start')} + 1)`;
    return object('ProductionReport', selections, {
      id: () => globalId('ProductionReport', row),
      periodStart: () => column(row, 'period_start'),
      periodEnd: () => column(row, 'period_end'),
      period: () => column(row, 'period'),
      minedBtc: () => decimal(column(row, 'mined_btc')),
      soldBtc: () => decimal(column(row, 'sold_btc')),
      soldUsd: () => decimal(column(row, 'sold_usd')),
      heldBtc: () => decimal(column(row, 'held_btc')),
      deployedHashrateEh: () => decimal(column(row, 'deployed_hashrate_eh')),
      operatingHashrateEh: () => decimal(column(row, 'operating_hashrate_eh')),
      btcPerDay: () => decimal(quotient(sql`${column(row, 'mined_btc')}`, days)),
      btcPerEhPerDay: () => {
        const hashrate = column(row, 'operating_hashrate_eh');
        return sql`case when ${hashrate} is null or ${hashrate} = 0 then null
          else ${decimal(quotient(sql`${column(row, 'mined_btc')}`, sql`${hashrate} * ${days}`))} end`;
      },
    });
  };

  /** Holdings at the end of a day: the anchor rule, as holdings_on computes it. */
  const holdings = (row: string, selected: Selected): Json => {
    const day = (selected.args.on as string | null | undefined) ?? today;
    const h = aliases.take('h');
    const ref = (name: string) => column(h, name);
    const btcPoint = (field: 'close' | 'at') =>
      sql`(select o.${sql.ref(field)} from price_observations o where o.asset_id = ${btcId}
           and o.at <= ${endOfDay(day).toISOString()}::timestamptz order by o.at desc limit 1)`;
    const pledged = pledgedOn(column(row, 'id'), sql`${day}::date`);
    const json = object('Holdings', selected.of('Holdings'), {
      on: () => sql`${day}::text`,
      btc: () => decimal(ref('btc')),
      anchor: (anchor) =>
        sql`case when ${ref('anchor_id')} is null then null else ${object('HoldingsReport', anchor.of('HoldingsReport'), {
          on: () => ref('anchor_on'),
          btc: () => decimal(ref('anchor_btc')),
          basis: () => ref('anchor_basis'),
        })} end`,
      btcPriceUsd: () => decimal(btcPoint('close')),
      btcPriceAt: () => instant(btcPoint('at')),
      valueUsd: () => decimal(sql`${ref('btc')} * ${btcPoint('close')}`),
      pledgedBtc: () => decimal(sql`(select p.pledged from ${pledged} p)`),
      pledgedBtcComplete: () => sql`(select p.undisclosed = 0 from ${pledged} p)`,
      percentOfSupply: () => quotient(sql`${ref('btc')} * 100`, sql`21000000`),
    });
    // holdings_on (a migration) is the rule's one home, shared with the resolvers' holdingsOn.
    return sql`(select ${json} from holdings_on(${column(row, 'id')}, ${day}::date) ${sql.id(h)})`;
  };

  /** The company's loans, as loansByCompanyIds orders them, with the fields of types/loan.ts. */
  const loans = (row: string, selected: Selected): Json => {
    const l = aliases.take('l');
    const ref = (name: string) => column(l, name);
    const outstanding = sql`(${ref('principal_usd')} - ${ref('repaid_usd')})`;
    const collateral = sql`(coalesce(${ref('initial_collateral_btc')}, 0) - ${ref('collateral_released_btc')})`;
    const priceAtLtv = (threshold: string) => {
      const ltv = ref(threshold);
      // String(number) in JavaScript and float8's text are both the shortest exact form.
      return sql`case when ${ref('principal_usd')} is null or ${ltv} is null or ${ltv} <= 0 or ${collateral} = 0 then null
        else ${decimal(quotient(outstanding, sql`${collateral} * ${ltv}::text::numeric`))} end`;
    };
    const status = selected.args.status as string | null | undefined;
    const loan = object('Loan', selected.of('Loan'), {
      id: () => globalId('Loan', l),
      kind: () => ref('kind'),
      description: () => ref('description'),
      lender: () => ref('lender'),
      principalUsd: () => decimal(ref('principal_usd')),
      repaidUsd: () => decimal(ref('repaid_usd')),
      outstandingUsd: () => decimal(outstanding),
      collateralBtc: () => decimal(collateral),
      collateralBtcReported: () => sql`case when ${ref('initial_collateral_btc')} is null then null else ${decimal(collateral)} end`,
      collateralDisclosed: () => sql`${ref('initial_collateral_btc')} is not null`,
      originatedOn: () => ref('originated_on'),
      maturesOn: () => ref('matures_on'),
      interestRatePercent: () => ref('interest_rate_percent'),
      status: () => ref('status'),
      marginCallLtv: () => ref('margin_call_ltv'),
      liquidationLtv: () => ref('liquidation_ltv'),
      ltv: (ltv) => {
        if (ltv.args.btcPriceUsd != null) notCompilable('ltv(btcPriceUsd:)');
        const price = latestBtc('close');
        return sql`case when ${ref('principal_usd')} is null or ${collateral} = 0 or ${price} is null or ${price} <= 0 then null
          else ${quotient(outstanding, sql`${collateral} * ${price}`)} end`;
      },
      btcPriceAt: () => instant(latestBtc('at')),
      marginCallPriceUsd: () => priceAtLtv('margin_call_ltv'),
      liquidationPriceUsd: () => priceAtLtv('liquidation_ltv'),
      repayments: (repayments) => {
        const r = aliases.take('p');
        const repayment = object('LoanRepayment', repayments.of('LoanRepayment'), {
          id: () => sql`${column(r, 'id')}::text`,
          amountUsd: () => decimal(column(r, 'amount_usd')),
          paidOn: () => column(r, 'paid_on'),
          collateralReleasedBtc: () => decimal(column(r, 'collateral_released_btc')),
        });
        return sql`coalesce((select json_agg(${repayment} order by ${column(r, 'paid_on')}, ${column(r, 'id')})
          from loan_repayments ${sql.id(r)} where ${column(r, 'loan_id')} = ${ref('id')}), '[]'::json)`;
      },
    });
    return sql`coalesce((select json_agg(${loan} order by ${ref('originated_on')} nulls last, ${ref('id')})
      from ${LOANS_WITH_TOTALS} ${sql.id(l)}
      where ${ref('company_id')} = ${column(row, 'id')} ${status ? sql`and ${ref('status')} = ${status}` : sql``}), '[]'::json)`;
  };

  const assetFields = (asset: string): FieldCompilers => ({
    id: () => globalId('Asset', asset),
    symbol: () => column(asset, 'symbol'),
    name: () => column(asset, 'name'),
    kind: () => column(asset, 'kind'),
    quoteCurrency: () => column(asset, 'quote_currency'),
    latestPrice: (selected) => {
      const point = aliases.take('o');
      const adjusted = selected.args.adjusted !== false;
      // adjustPoint (@minergraph/schema adjustments.ts): divided by the product of the ratios of
      // the actions effective after the observation's day; untouched when there are none.
      const factor = sql`(select minergraph_product(c.ratio) from corporate_actions c
        where c.asset_id = ${column(asset, 'id')} and c.effective_on > (${column(point, 'at')} at time zone 'UTC')::date)`;
      const price = adjusted
        ? sql`case when ${factor} = 1 then ${column(point, 'close')} else ${quotient(column(point, 'close'), factor)} end`
        : column(point, 'close');
      const json = object('PricePoint', selected.of('PricePoint'), {
        at: () => instant(column(point, 'at')),
        priceUsd: () => decimal(price),
      });
      return sql`(select ${json} from (select o.at, o.close from price_observations o where o.asset_id = ${column(asset, 'id')}
        order by o.at desc limit 1) ${sql.id(point)})`;
    },
    candles: (selected) => {
      // Without `to` the window ends at the instant the request is served, which a plan kept for
      // later requests cannot know.
      if (selected.args.to == null) notCompilable('candles without to');
      const interval = selected.args.interval as CandleInterval;
      let window: { from: Date; to: Date };
      try {
        window = candleWindow(selected.args.from as Date | null | undefined, selected.args.to as Date, interval);
      } catch {
        // The resolver refuses it, in its own words.
        notCompilable('a candle window the resolver refuses');
      }
      const id = column(asset, 'id');
      const list = (units: UnitsSince) => {
        const c = aliases.take('k');
        const candle = object('Candle', selected.of('Candle'), {
          start: () => instant(column(c, 'start')),
          open: () => decimal(column(c, 'open')),
          high: () => decimal(column(c, 'high')),
          low: () => decimal(column(c, 'low')),
          close: () => decimal(column(c, 'close')),
          volume: () => decimal(column(c, 'volume')),
        });
        return sql`coalesce((select json_agg(${candle} order by ${column(c, 'start')})
          from (${candleRows(id, window.from, window.to, interval, units)}) ${sql.id(c)}), '[]'::json)`;
      };
      const asObserved = list(() => null);
      if (selected.args.adjusted === false) return asObserved;
      // adjustmentsFor and unitsSince: an asset without ratio changes is served as observed.
      return sql`case when exists (select from corporate_actions c where c.asset_id = ${id})
        then ${list(recordedUnitsSince(id))} else ${asObserved} end`;
    },
  });

  const rootSelections = selectionsOf(operation, queryType, [operationNode.selectionSet]);
  const root = object('Query', rootSelections, {
    asset: (selected) => {
      const row = aliases.take('a');
      const symbol = (selected.args.symbol as string).trim().toUpperCase();
      return sql`(select ${object('Asset', selected.of('Asset'), assetFields(row))} from assets ${sql.id(row)} where ${column(row, 'symbol')} = ${symbol})`;
    },
    company: (selected) => {
      const row = aliases.take('c');
      const ticker = (selected.args.ticker as string).trim().toUpperCase();
      return sql`(select ${company(row, selected.of('Company'))} from companies ${sql.id(row)} where ${column(row, 'ticker')} = ${ticker})`;
    },
    companies: (selected) => {
      const first = firstOf(selected.args);
      const orderBy = (selected.args.orderBy as string | null | undefined) ?? 'TICKER_ASC';
      const order =
        orderBy === 'TICKER_ASC'
          ? (r: string) => sql`${column(r, 'ticker')}`
          : orderBy === 'NAME_ASC'
            ? (r: string) => sql`${column(r, 'name')}, ${column(r, 'id')}`
            : notCompilable(`companies(orderBy: ${orderBy})`);
      const given = (selected.args.filter ?? {}) as Partial<CompanyFilter>;
      const filter = companyFilter({
        tickers: given.tickers?.map((ticker) => ticker.trim().toUpperCase()) ?? null,
        businessLine: given.businessLine ?? null,
        nameContains: given.nameContains ?? null,
        hasBtcBackedDebt: given.hasBtcBackedDebt ?? null,
      });
      return connection(
        selected,
        'Company',
        {
          first,
          rows: (_row, limit) => sql`select * from companies where ${filter} order by ${order('companies')} limit ${limit}`,
          order,
          count: sql`(select count(*)::int from companies where ${filter})`,
          node: company,
        },
        aliases,
      );
    },
  });
  return {
    // As text: the answer is passed through as PostgreSQL wrote it (json-text.ts), not parsed.
    sql: sql`select ${root}::text as data`,
    roots: rootSelections.map((selected) => ({
      key: selected.responseName,
      typename: selected.field === TYPENAME,
      nonNull: selected.field !== TYPENAME && isNonNullType(selected.field.type),
    })),
  };
}
