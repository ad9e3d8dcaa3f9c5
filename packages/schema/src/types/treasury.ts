import { builder } from '../builder.js';
import { addDays, endOfDay, intervalCount, intervalEnds, yearEndingOn } from '../calendar.js';
import type { Context } from '../context.js';
import type { TreasuryTransactionFilter } from '../data-sources.js';
import { canonical, Decimal, divide, toRoundedFloat } from '../decimal.js';
import { BTC_LIMIT, describeLimit, USD_AMOUNT_LIMIT } from '../decimal-limits.js';
import { badUserInput, notComputable } from '../errors.js';
import type { CalendarInterval, HoldingsModel, HoldingsReportModel, TreasuryTransactionKind, TreasuryTransactionModel } from '../models.js';
import { companyConnection, connectionType, pageArgs, pageComplexity, pageRequest } from '../pagination.js';
import { Company } from './company.js';
import { sourceField, SourceInput } from './source.js';
import { IDEMPOTENCY_KEY_DESCRIPTION, MULTILINE_TEXT_RULE } from '../text-rules.js';
import { UserError } from './user-error.js';
import {
  COMPANY_ID_DESCRIPTION,
  COMPANY_TICKER_DESCRIPTION,
  SOURCE_INPUT_DESCRIPTION,
  USER_ERRORS_DESCRIPTION,
  actorOf,
  payload,
  withLocalCompanyId,
} from '../mutation.js';
import { rejected } from '../writes.js';

const BTC_SUPPLY = 21_000_000;
export const MAX_HISTORY_POINTS = 1000;
/** What one holdingsHistory point costs besides its selections (calibrated by pnpm bench:cost). */
export const POINT_COST = 7;
const FIRST_DAY = '0001-01-01';

export const TreasuryTransactionKindEnum = builder.enumType('TreasuryTransactionKind', {
  description: 'What moved BTC in or out of a treasury.',
  values: {
    MINED: { description: 'BTC the company mined.' },
    PURCHASED: { description: 'BTC the company bought.' },
    SOLD: { description: 'BTC the company sold.' },
    OTHER: { description: 'Anything else that moves the balance (a transfer in or out, a correction); signed.' },
  } as const satisfies Record<TreasuryTransactionKind, unknown>,
});

export const CalendarIntervalEnum = builder.enumType('CalendarInterval', {
  description: 'A calendar period of UTC days; a point of holdingsHistory falls on its last day.',
  values: {
    DAY: { description: 'Each day.' },
    WEEK: { description: 'Monday to Sunday.' },
    MONTH: { description: 'The 1st to the last day of the month.' },
    QUARTER: { description: 'January to March, April to June, July to September, October to December.' },
    YEAR: { description: '1 January to 31 December.' },
  } as const satisfies Record<CalendarInterval, unknown>,
});

export const HoldingsReport = builder.objectRef<HoldingsReportModel>('HoldingsReport').implement({
  description: 'A holdings figure as the company reported it, used as an anchor.',
  fields: (t) => ({
    on: t.expose('on', { type: 'Date', description: 'The day whose end the figure is for.' }),
    btc: t.expose('btc', { type: 'Decimal', description: 'BTC held, as reported.' }),
    basis: t.exposeString('basis', {
      nullable: true,
      description:
        "What the figure includes, as the company states it (e.g. BTC loaned or pledged, receivables); null when the company's page states nothing. Compare figures across companies with it in view.",
    }),
    source: t.field(sourceField),
  }),
});

/** BTC's last observation at or before the end of the day, or null. */
async function btcPointOn(context: Context, day: string) {
  const btc = await context.loaders.assetBySymbol.load('BTC');
  if (!btc) return null;
  return context.loaders.priceAt.load({ assetId: btc.id, at: endOfDay(day) });
}

/** BTC's close at or before the end of the day, as a decimal string, or null. */
async function btcCloseOn(context: Context, day: string): Promise<string | null> {
  return (await btcPointOn(context, day))?.priceUsd ?? null;
}

const BTC_PRICE_AT_DESCRIPTION =
  'When the BTC price used by btcPriceUsd and valueUsd was observed: the last observation at or before the end of the day, which may be much older than the day. Null when no price is known.';

async function valueOn(context: Context, day: string, btc: string): Promise<string | null> {
  const price = await btcCloseOn(context, day);
  return price === null ? null : canonical(new Decimal(btc).times(price));
}

export const Holdings = builder.objectRef<HoldingsModel>('Holdings').implement({
  description: 'BTC a company held at the end of a day.',
  fields: (t) => ({
    on: t.expose('on', { type: 'Date', description: 'The day, whose end (UTC) the figures are for.' }),
    btc: t.expose('btc', {
      type: 'Decimal',
      description:
        "BTC held: the last reported figure on or before the day, plus the recorded flows after the report's day (flows on its day are taken as included); without a report, the sum of all flows.",
    }),
    anchor: t.field({
      type: HoldingsReport,
      nullable: true,
      description: 'The reported figure the balance starts from, if any.',
      resolve: (holdings) => holdings.anchor,
    }),
    btcPriceUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'USD per BTC: the close at or before the end of the day (observed at btcPriceAt); null when no price is known.',
      resolve: (holdings, _args, context) => btcCloseOn(context, holdings.on),
    }),
    btcPriceAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: BTC_PRICE_AT_DESCRIPTION,
      resolve: async (holdings, _args, context) => (await btcPointOn(context, holdings.on))?.at ?? null,
    }),
    valueUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'USD: btc × btcPriceUsd; null when no price is known.',
      resolve: (holdings, _args, context) => valueOn(context, holdings.on, holdings.btc),
    }),
    pledgedBtc: t.field({
      type: 'Decimal',
      description:
        'BTC pledged as collateral on active loans at the end of the day, counting only disclosed collateral: when pledgedBtcComplete is false, an active BTC-backed loan whose collateral was never disclosed is left out, and the true figure is higher.',
      resolve: async (holdings, _args, context) =>
        (await context.loaders.pledgedBtc.load({ companyId: holdings.companyId, on: holdings.on })).btc,
    }),
    pledgedBtcComplete: t.boolean({
      description: 'False when an active BTC-backed loan’s collateral was never disclosed, so pledgedBtc leaves it out.',
      resolve: async (holdings, _args, context) =>
        (await context.loaders.pledgedBtc.load({ companyId: holdings.companyId, on: holdings.on })).complete,
    }),
    percentOfSupply: t.float({
      description:
        'A percent, rounded half-up to 8 decimal places: btc / 21,000,000 × 100, so 0.0144 means 0.0144 % (not 1.44 %) of the 21,000,000 BTC that will ever exist.',
      resolve: (holdings) => {
        const percent = toRoundedFloat(new Decimal(holdings.btc).div(BTC_SUPPLY).times(100));
        if (percent === null) throw notComputable(`percentOfSupply of ${holdings.btc} BTC is beyond what a Float can hold.`);
        return percent;
      },
    }),
  }),
});

interface TreasuryFlowShape {
  companyId: string;
  from: string;
  to: string;
}

function flowTotals(context: Context, flow: TreasuryFlowShape) {
  return context.loaders.flowTotals.load(flow);
}

function openingBtc(context: Context, flow: TreasuryFlowShape) {
  // The calendar (and PostgreSQL's) has no day before 0001-01-01, and nothing was held then.
  if (flow.from === FIRST_DAY) return Promise.resolve('0');
  return context.loaders.holdings.load({ companyId: flow.companyId, on: addDays(flow.from, -1) }).then((h) => h.btc);
}

function closingBtc(context: Context, flow: TreasuryFlowShape) {
  return context.loaders.holdings.load({ companyId: flow.companyId, on: flow.to }).then((h) => h.btc);
}

const TreasuryFlow = builder.objectRef<TreasuryFlowShape>('TreasuryFlow').implement({
  description: 'Opening, flows and closing of the treasury between two days, with what the flows do not explain.',
  fields: (t) => ({
    from: t.expose('from', { type: 'Date', description: 'The first day of the window.' }),
    to: t.expose('to', { type: 'Date', description: 'The last day of the window (included).' }),
    openingBtc: t.field({
      type: 'Decimal',
      description: 'BTC held at the end of the day before `from`.',
      resolve: (flow, _args, context) => openingBtc(context, flow),
    }),
    minedBtc: t.field({
      type: 'Decimal',
      description: 'BTC of the MINED flows in the window.',
      resolve: async (flow, _a, context) => (await flowTotals(context, flow)).minedBtc,
    }),
    purchasedBtc: t.field({
      type: 'Decimal',
      description: 'BTC of the PURCHASED flows in the window.',
      resolve: async (flow, _a, context) => (await flowTotals(context, flow)).purchasedBtc,
    }),
    soldBtc: t.field({
      type: 'Decimal',
      description: 'BTC of the SOLD flows in the window (a positive amount).',
      resolve: async (flow, _a, context) => (await flowTotals(context, flow)).soldBtc,
    }),
    soldUsd: t.field({
      type: 'Decimal',
      description: 'USD proceeds of the sales in the window that have them.',
      resolve: async (flow, _a, context) => (await flowTotals(context, flow)).soldUsd,
    }),
    averageSalePriceUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description:
        'USD per BTC: proceeds / BTC over the sales in the window that have proceeds, rounded half-up to 8 places; null when none.',
      resolve: async (flow, _a, context) => {
        const totals = await flowTotals(context, flow);
        return new Decimal(totals.soldBtcWithUsd).isZero() ? null : canonical(divide(totals.soldUsd, totals.soldBtcWithUsd));
      },
    }),
    otherBtc: t.field({
      type: 'Decimal',
      description: 'BTC of the OTHER flows in the window, signed (negative when more went out).',
      resolve: async (flow, _a, context) => (await flowTotals(context, flow)).otherBtc,
    }),
    closingBtc: t.field({
      type: 'Decimal',
      description: 'BTC held at the end of `to`.',
      resolve: (flow, _args, context) => closingBtc(context, flow),
    }),
    unexplainedBtc: t.field({
      type: 'Decimal',
      description:
        'BTC: closingBtc - openingBtc - (mined + purchased - sold + other), what reported figures changed beyond the recorded flows.',
      resolve: async (flow, _args, context) => {
        const [opening, closing, totals] = await Promise.all([
          openingBtc(context, flow),
          closingBtc(context, flow),
          flowTotals(context, flow),
        ]);
        const net = new Decimal(totals.minedBtc).plus(totals.purchasedBtc).minus(totals.soldBtc).plus(totals.otherBtc);
        return canonical(new Decimal(closing).minus(opening).minus(net));
      },
    }),
  }),
});

const HoldingsPoint = builder.objectRef<HoldingsModel>('HoldingsPoint').implement({
  description: 'Holdings at the end of one day of a history: the last day of its interval, clipped to the window.',
  fields: (t) => ({
    on: t.expose('on', { type: 'Date', description: 'The day, whose end (UTC) the figures are for.' }),
    btc: t.expose('btc', { type: 'Decimal', description: 'BTC held, as holdings(on:).btc gives it.' }),
    btcPriceUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'USD per BTC: the close at or before the end of the day; null when no price is known.',
      resolve: (point, _args, context) => btcCloseOn(context, point.on),
    }),
    btcPriceAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: BTC_PRICE_AT_DESCRIPTION,
      resolve: async (point, _args, context) => (await btcPointOn(context, point.on))?.at ?? null,
    }),
    valueUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'USD: btc × btcPriceUsd; null when no price is known.',
      resolve: (point, _args, context) => valueOn(context, point.on, point.btc),
    }),
  }),
});

export const TreasuryTransaction = builder.loadableNode('TreasuryTransaction', {
  description: 'A flow of BTC in or out of a company treasury.',
  id: { resolve: (transaction: TreasuryTransactionModel) => transaction.id },
  load: (ids: string[], context) => context.data.treasury.transactionsByIds(ids),
  fields: (t) => ({
    company: t.field({ type: Company, description: 'Whose treasury.', resolve: (transaction) => transaction.companyId }),
    kind: t.field({ type: TreasuryTransactionKindEnum, description: 'What moved the BTC.', resolve: (transaction) => transaction.kind }),
    btc: t.expose('btc', { type: 'Decimal', description: 'BTC moved: a positive amount for MINED, PURCHASED and SOLD; signed for OTHER.' }),
    usd: t.expose('usd', {
      type: 'Decimal',
      nullable: true,
      description: 'USD proceeds of a sale or cost of a purchase; null when not known.',
    }),
    averagePriceUsd: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'USD per BTC: usd / btc, rounded half-up to 8 places; null without usd.',
      resolve: (transaction) => (transaction.usd === null ? null : canonical(divide(transaction.usd, new Decimal(transaction.btc).abs()))),
    }),
    occurredOn: t.expose('occurredOn', { type: 'Date', description: 'The day it happened.' }),
    balanceAfterBtc: t.field({
      type: 'Decimal',
      description: 'BTC held at the end of occurredOn: the same figure as holdings(on: occurredOn).btc.',
      resolve: async (transaction, _args, context) =>
        (await context.loaders.holdings.load({ companyId: transaction.companyId, on: transaction.occurredOn })).btc,
    }),
    note: t.exposeString('note', {
      nullable: true,
      description: 'What the company said about it, or how it was recorded; null when none.',
    }),
    source: t.field(sourceField),
  }),
});

const TreasuryTransactionFilterInput = builder.inputType('TreasuryTransactionFilter', {
  description: 'Which transactions to list; every condition given must hold.',
  fields: (t) => ({
    kinds: t.field({ type: [TreasuryTransactionKindEnum], description: 'Any of these kinds.' }),
    from: t.field({ type: 'Date', description: 'On or after this day.' }),
    to: t.field({ type: 'Date', description: 'On or before this day.' }),
  }),
});

export const TreasuryTransactionConnection = connectionType('TreasuryTransaction', TreasuryTransaction, 'treasury transactions');

function checkWindow(from: string, to: string): void {
  if (from > to) throw badUserInput(`"from" (${from}) is after "to" (${to}).`, ['from']);
}

builder.objectFields(Company, (t) => ({
  latestHoldingsReport: t.field({
    type: HoldingsReport,
    nullable: true,
    description: 'The latest holdings figure the company reported (by its day), with its basis and source; null when none.',
    resolve: (company, _args, context) => context.loaders.latestHoldingsReport.load(company.id),
  }),
  holdingsReports: t.field({
    type: [HoldingsReport],
    description: 'Every holdings figure the company reported, oldest first, each with its basis and source.',
    resolve: (company, _args, context) => context.loaders.holdingsReports.load(company.id),
  }),
  treasuryFlowsBetweenReports: t.field({
    type: [TreasuryFlow],
    description:
      "One treasury flow per two consecutive reported figures (holdingsReports), oldest first: from the day after one report to the next report's day, so each flow's unexplainedBtc is what the recorded flows leave unexplained of that change.",
    resolve: async (company, _args, context) => {
      const days = [...new Set((await context.loaders.holdingsReports.load(company.id)).map((report) => report.on))];
      return days.slice(1).map((to, index) => ({ companyId: company.id, from: addDays(days[index]!, 1), to }));
    },
  }),
  holdings: t.field({
    type: Holdings,
    description: 'BTC held at the end of the given day (default: today).',
    args: { on: t.arg({ type: 'Date', description: 'The day (default: today, UTC).' }) },
    resolve: (company, args, context) => context.loaders.holdings.load({ companyId: company.id, on: args.on ?? context.today }),
  }),
  treasuryFlow: t.field({
    type: TreasuryFlow,
    description:
      'Opening, flows and closing of the treasury between two days, both included, with what the flows do not explain. Without a window: the year up to today.',
    args: {
      from: t.arg({
        type: 'Date',
        description: 'The first day (default: the day after the same date a year before `to`, so the window is one year).',
      }),
      to: t.arg({ type: 'Date', description: 'The last day (default: today, UTC).' }),
    },
    resolve: (company, args, context) => {
      const to = args.to ?? context.today;
      const from = args.from ?? yearEndingOn(to);
      checkWindow(from, to);
      return { companyId: company.id, from, to };
    },
  }),
  holdingsHistory: t.field({
    type: [HoldingsPoint],
    description: 'One point per interval, on its last day clipped to [from, to], oldest first.',
    args: {
      from: t.arg({ type: 'Date', required: true, description: 'The first day of the window.' }),
      to: t.arg({ type: 'Date', required: true, description: 'The last day of the window (included).' }),
      interval: t.arg({
        type: CalendarIntervalEnum,
        required: true,
        description: `The period per point; at most ${MAX_HISTORY_POINTS} points a request.`,
      }),
    },
    // Each point is a holdings figure (and, with valueUsd, a BTC price): POINT_COST per point
    // (pnpm bench:cost measures 40-75 µs a point), and its selections once per point.
    complexity: ({ from, to, interval }) => {
      const points = Math.min(Math.max(intervalCount(from, to, interval), 1), MAX_HISTORY_POINTS);
      return { field: 5 + POINT_COST * points, multiplier: points };
    },
    resolve: (company, { from, to, interval }, context) => {
      checkWindow(from, to);
      // Counted before listing: a window of millions of days is refused without making them.
      const points = intervalCount(from, to, interval);
      if (points > MAX_HISTORY_POINTS) {
        throw badUserInput(
          `That is ${points} points; at most ${MAX_HISTORY_POINTS} fit in one request: use a longer interval or a shorter window.`,
          ['interval'],
        );
      }
      return Promise.all(intervalEnds(from, to, interval).map((on) => context.loaders.holdings.load({ companyId: company.id, on })));
    },
  }),
  treasuryTransactions: t.field({
    type: TreasuryTransactionConnection,
    description: 'A page of its BTC flows, newest first.',
    args: {
      ...pageArgs(t.arg),
      filter: t.arg({ type: TreasuryTransactionFilterInput, description: 'Which transactions (default: all).' }),
    },
    complexity: pageComplexity,
    resolve: async (company, args, context) => {
      const filter: TreasuryTransactionFilter = {
        kinds: args.filter?.kinds ?? null,
        from: args.filter?.from ?? null,
        to: args.filter?.to ?? null,
      };
      const request = pageRequest('treasuryTransactions', args, filter, ['day', 'id']);
      return companyConnection(context, 'treasuryTransactions', company.id, request, {
        pages: context.data.treasury.transactionPages,
        counts: context.data.treasury.transactionCounts,
      });
    },
  }),
}));

const RecordTreasuryTransactionInput = builder.inputType('RecordTreasuryTransactionInput', {
  description: "A flow of BTC in or out of a company's treasury.",
  fields: (t) => ({
    companyId: t.id({ description: COMPANY_ID_DESCRIPTION }),
    ticker: t.string({ description: COMPANY_TICKER_DESCRIPTION }),
    kind: t.field({ type: TreasuryTransactionKindEnum, required: true, description: 'What moved the BTC.' }),
    btc: t.field({
      type: 'Decimal',
      required: true,
      description: `BTC moved: positive for MINED, PURCHASED and SOLD; signed (not 0) for OTHER. ${describeLimit(BTC_LIMIT)}`,
    }),
    usd: t.field({
      type: 'Decimal',
      description: `USD proceeds of a sale or cost of a purchase; not negative. ${describeLimit(USD_AMOUNT_LIMIT)}`,
    }),
    occurredOn: t.field({
      type: 'Date',
      required: true,
      description:
        'The day it happened. A SOLD or negative OTHER that would leave holdings below 0 on that day or later is INSUFFICIENT_HOLDINGS.',
    }),
    note: t.string({ description: `Anything worth keeping with it. At most 1000 characters. ${MULTILINE_TEXT_RULE}` }),
    source: t.field({ type: SourceInput, description: SOURCE_INPUT_DESCRIPTION }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const RecordTreasuryTransactionPayload = builder.simpleObject('RecordTreasuryTransactionPayload', {
  description: 'What recordTreasuryTransaction did.',
  fields: (t) => ({
    transaction: t.field({ type: TreasuryTransaction, nullable: true, description: 'The transaction recorded; null when refused.' }),
    userErrors: t.field({ type: [UserError], description: USER_ERRORS_DESCRIPTION }),
  }),
});

builder.mutationFields((t) => ({
  recordTreasuryTransaction: t.field({
    type: RecordTreasuryTransactionPayload,
    description: "Records a flow of BTC in or out of a company's treasury. Needs an editor key.",
    authScopes: { editor: true },
    args: { input: t.arg({ type: RecordTreasuryTransactionInput, required: true, description: 'The transaction.' }) },
    resolve: async (_root, { input }, context) => {
      const named = withLocalCompanyId(input);
      if (!named.ok) return payload('transaction', rejected(...named.userErrors));
      return payload('transaction', await context.data.writes.recordTreasuryTransaction(named.value, actorOf(context)));
    },
  }),
}));
