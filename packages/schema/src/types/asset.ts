import { builder } from '../builder.js';
import { canonical, Decimal, toRoundedFloat } from '../decimal.js';
import { describeLimit, PRICE_LIMIT, RATIO_LIMIT, VOLUME_LIMIT } from '../decimal-limits.js';
import { badUserInput, notComputable } from '../errors.js';
import { MULTILINE_TEXT_RULE, SYMBOL_RULE, TEXT_RULE } from '../text-rules.js';
import { adjustPoint } from '../adjustments.js';
import { aYearBefore } from '../calendar.js';
import type { Context } from '../context.js';
import type {
  AssetKind,
  AssetModel,
  CandleInterval,
  CandleModel,
  CorporateActionModel,
  PriceChangeModel,
  PricePointModel,
} from '../models.js';
import { Company } from './company.js';
import { sourceField, SourceInput } from './source.js';
import { actorOf, payload, SOURCE_INPUT_DESCRIPTION, payloadType } from '../mutation.js';

export const MAX_CANDLES = 10_000;
/** Cost weights, calibrated by pnpm bench:cost (BENCHMARKS.md): about 8 µs of server time a unit. */
const BUCKET_COST = { HOUR: 14, DAY: 1, WEEK: 1, MONTH: 1 } as const;
const CHANGE_COST_PER_HOUR = 1.5;
const CHANGE_MAX_COST = 15_000;
const HOUR_MS = 3_600_000;
const BUCKET_MS: Record<CandleInterval, number> = { HOUR: HOUR_MS, DAY: 24 * HOUR_MS, WEEK: 7 * 24 * HOUR_MS, MONTH: 31 * 24 * HOUR_MS };

/**
 * The window `candles` reads: from `from` (default: a year before `to`) to `to`; throws the
 * BAD_USER_INPUT error the field answers when it is empty or spans more than MAX_CANDLES buckets.
 */
export function candleWindow(from: Date | null | undefined, to: Date, interval: CandleInterval): { from: Date; to: Date } {
  const start = from ?? aYearBefore(to);
  if (start >= to) throw badUserInput('"from" must be before "to".', ['from']);
  const buckets = Math.ceil((to.getTime() - start.getTime()) / BUCKET_MS[interval]);
  if (interval !== 'MONTH' && buckets > MAX_CANDLES) {
    throw badUserInput(`That spans ${buckets} ${interval} buckets; at most ${MAX_CANDLES} fit in one request.`, ['interval']);
  }
  return { from: start, to };
}

export const AssetKindEnum = builder.enumType('AssetKind', {
  description: 'What an asset is.',
  values: {
    CRYPTO: { description: 'A crypto-currency: BTC.' },
    EQUITY: { description: "A listed company's shares (or ADSs), under its ticker." },
  } as const satisfies Record<AssetKind, unknown>,
});

export const CandleIntervalEnum = builder.enumType('CandleInterval', {
  description: 'How long one candle lasts; buckets follow the UTC calendar.',
  values: {
    HOUR: { description: 'One hour, starting on the hour (UTC).' },
    DAY: { description: 'One day, starting at 00:00 UTC.' },
    WEEK: { description: 'One week, starting on Monday at 00:00 UTC.' },
    MONTH: { description: 'One calendar month, starting on the 1st at 00:00 UTC.' },
  } as const satisfies Record<CandleInterval, unknown>,
});

export const PricePoint = builder.objectRef<PricePointModel>('PricePoint').implement({
  description: 'One observed price.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'When the price was observed.' }),
    priceUsd: t.expose('priceUsd', {
      type: 'Decimal',
      description: 'USD per unit: the close of the observation (the high for allTimeHigh).',
    }),
    source: t.field(sourceField),
  }),
});

const Candle = builder.objectRef<CandleModel>('Candle').implement({
  description: 'Open, high, low, close and volume of one UTC bucket.',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: 'The instant the bucket starts.' }),
    open: t.expose('open', { type: 'Decimal', description: "USD per unit: the open of the bucket's first observation." }),
    high: t.expose('high', { type: 'Decimal', description: 'USD per unit: the highest high observed in the bucket.' }),
    low: t.expose('low', { type: 'Decimal', description: 'USD per unit: the lowest low observed in the bucket.' }),
    close: t.expose('close', { type: 'Decimal', description: "USD per unit: the close of the bucket's last observation." }),
    volume: t.expose('volume', {
      type: 'Decimal',
      nullable: true,
      description: 'Units traded in the bucket: the sum of the observed volumes; null when none was recorded.',
    }),
  }),
});

const PriceChange = builder.objectRef<PriceChangeModel>('PriceChange').implement({
  description: 'How a price moved between two instants.',
  fields: (t) => ({
    from: t.field({ type: PricePoint, description: 'The last observation at or before `from`.', resolve: (change) => change.from }),
    to: t.field({ type: PricePoint, description: 'The last observation at or before `to`.', resolve: (change) => change.to }),
    changeUsd: t.field({
      type: 'Decimal',
      description: 'USD per unit: to.priceUsd - from.priceUsd.',
      resolve: (change) => canonical(new Decimal(change.to.priceUsd).minus(change.from.priceUsd)),
    }),
    changePercent: t.float({
      description:
        'A percent, rounded half-up to 8 decimal places: (to - from) / from × 100, so -43.9 means the price fell by 43.9 %. A NOT_COMPUTABLE error (and a null change) when the price at `from` is 0, as an adjusted price that rounds below 0.00000001 is.',
      resolve: (change) => {
        const percent = toRoundedFloat(new Decimal(change.to.priceUsd).minus(change.from.priceUsd).div(change.from.priceUsd).times(100));
        if (percent === null) {
          throw notComputable(`changePercent cannot be computed: the price at "from" is ${canonical(change.from.priceUsd)}.`);
        }
        return percent;
      },
    }),
    high: t.expose('high', { type: 'Decimal', description: 'USD per unit: the highest high observed between the two points.' }),
    low: t.expose('low', { type: 'Decimal', description: 'USD per unit: the lowest low observed between the two points.' }),
  }),
});

const CorporateAction = builder.objectRef<CorporateActionModel>('CorporateAction').implement({
  description: 'A change in how many listed units one old unit became: a split, a reverse split, an ADS conversion.',
  fields: (t) => ({
    effectiveOn: t.expose('effectiveOn', { type: 'Date', description: 'The first day the new units traded.' }),
    ratio: t.expose('ratio', { type: 'Decimal', description: 'New units per old unit: "2" means each old unit became 2.' }),
    description: t.exposeString('description', {
      description: 'What happened, in words, e.g. "Each ADS became 2 Class A ordinary shares ...".',
    }),
    source: t.field(sourceField),
  }),
});

const ADJUSTED_DESCRIPTION =
  'Divide prices observed before a ratio change (split, ADS conversion) by the units one old unit became, so the series compares like with like (default). False: prices as observed.';

/** The asset's ratio changes when adjusted prices are asked for; none for raw ones. */
async function adjustmentsFor(context: Context, assetId: string, adjusted: boolean | null | undefined) {
  return adjusted === false ? [] : context.loaders.corporateActions.load(assetId);
}

export const Asset = builder.loadableNode('Asset', {
  description: "Something with a price: BTC, or a company's shares.",
  id: { resolve: (asset: AssetModel) => asset.id },
  load: (ids: string[], context) => context.data.assets.byIds(ids),
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'BTC, CANG, ...' }),
    name: t.exposeString('name', { description: 'The full name, e.g. "Bitcoin", "Cango Inc.".' }),
    kind: t.field({ type: AssetKindEnum, description: "BTC or a company's shares.", resolve: (asset) => asset.kind }),
    quoteCurrency: t.exposeString('quoteCurrency', { description: 'The currency its prices are in: USD (the *Usd fields assume it).' }),
    corporateActions: t.field({
      type: [CorporateAction],
      description: 'Ratio changes of the listed units, oldest first.',
      resolve: (asset, _args, context) => context.loaders.corporateActions.load(asset.id),
    }),
    latestPrice: t.field({
      type: PricePoint,
      nullable: true,
      description: 'The newest observation; null without prices.',
      args: { adjusted: t.arg.boolean({ defaultValue: true, description: ADJUSTED_DESCRIPTION }) },
      resolve: async (asset, { adjusted }, context) =>
        adjustPoint(await context.loaders.latestPrice.load(asset.id), await adjustmentsFor(context, asset.id, adjusted)),
    }),
    priceAt: t.field({
      type: PricePoint,
      nullable: true,
      description: 'The last observation at or before `at`.',
      args: {
        at: t.arg({ type: 'DateTime', description: 'Default: now, the instant the request is served.' }),
        adjusted: t.arg.boolean({ defaultValue: true, description: ADJUSTED_DESCRIPTION }),
      },
      resolve: async (asset, args, context) =>
        adjustPoint(
          await context.loaders.priceAt.load({ assetId: asset.id, at: args.at ?? context.clock.now }),
          await adjustmentsFor(context, asset.id, args.adjusted),
        ),
    }),
    candles: t.field({
      type: [Candle],
      description:
        'OHLC buckets that start in [from, to), oldest first; empty buckets are left out. Buckets are UTC: DAY at 00:00, WEEK on Monday, MONTH on the 1st. Without a window: the year up to now.',
      args: {
        from: t.arg({ type: 'DateTime', description: 'Default: the same instant a year before `to`.' }),
        to: t.arg({ type: 'DateTime', description: 'Default: now, the instant the request is served.' }),
        interval: t.arg({ type: CandleIntervalEnum, required: true, description: 'How long each candle lasts.' }),
        adjusted: t.arg.boolean({ defaultValue: true, description: ADJUSTED_DESCRIPTION }),
      },
      // BUCKET_COST per bucket it may return, and its selections once per bucket. HOUR's 14 was
      // measured when a bucket read 60 one-minute rows (pnpm bench:cost: about 120 µs). It reads
      // one row of price_hours now, as a DAY one reads a row of price_days, and bench:cost measures
      // 0.7 to 0.9 µs a unit: overcharged, but lowering it is a change of the limits of its own.
      complexity: ({ from, to, interval }) => {
        const end = to ?? new Date();
        const start = from ?? aYearBefore(end);
        const buckets = Math.min(Math.max(Math.ceil((end.getTime() - start.getTime()) / BUCKET_MS[interval]), 1), MAX_CANDLES);
        return { field: 10 + BUCKET_COST[interval] * buckets, multiplier: buckets };
      },
      resolve: async (asset, { interval, adjusted, ...args }, context) => {
        const { from, to } = candleWindow(args.from, args.to ?? context.clock.now, interval);
        return context.data.assets.candles(asset.id, from, to, interval, await adjustmentsFor(context, asset.id, adjusted));
      },
    }),
    change: t.field({
      type: PriceChange,
      nullable: true,
      description:
        'From the last observation at or before `from` to the last at or before `to` (default: latest). Without `from`: over the year up to `to`.',
      args: {
        from: t.arg({ type: 'DateTime', description: 'Default: the same instant a year before `to` (or before now).' }),
        to: t.arg({ type: 'DateTime', description: 'Default: the latest observation.' }),
        adjusted: t.arg.boolean({ defaultValue: true, description: ADJUSTED_DESCRIPTION }),
      },
      // Its high and low scan the observations in the window: CHANGE_COST_PER_HOUR of it (a year
      // of one-minute prices takes about 90 ms), at most CHANGE_MAX_COST, so a change over years
      // of daily prices is not refused (over years of minutes it takes longer than the rest).
      complexity: ({ from, to }) => {
        const end = to ?? new Date();
        const start = from ?? aYearBefore(end);
        const hours = Math.max(Math.ceil((end.getTime() - start.getTime()) / HOUR_MS), 1);
        return { field: Math.min(Math.ceil(CHANGE_COST_PER_HOUR * hours), CHANGE_MAX_COST) };
      },
      resolve: async (asset, { to, adjusted, ...args }, context) => {
        const from = args.from ?? aYearBefore(to ?? context.clock.now);
        if (to && from > to) throw badUserInput('"from" must not be after "to".', ['from']);
        return context.data.assets.change(asset.id, from, to ?? null, await adjustmentsFor(context, asset.id, adjusted));
      },
    }),
    allTimeHigh: t.field({
      type: PricePoint,
      nullable: true,
      description: 'The observation with the highest high; priceUsd is that high.',
      args: { adjusted: t.arg.boolean({ defaultValue: true, description: ADJUSTED_DESCRIPTION }) },
      resolve: (asset, { adjusted }, context) => allTimeHigh(context, asset.id, adjusted),
    }),
    drawdownFromAllTimeHigh: t.float({
      nullable: true,
      description:
        'A fraction, rounded half-up to 8 decimal places: 1 - latest close / all-time high, so 0.439 means 43.9 % below the peak. Both adjusted for ratio changes. Null without prices, or when the high rounds to 0 once adjusted.',
      resolve: async (asset, _args, context) => {
        const [latest, high] = await Promise.all([
          context.loaders.latestPrice
            .load(asset.id)
            .then(async (point) => adjustPoint(point, await adjustmentsFor(context, asset.id, true))),
          allTimeHigh(context, asset.id, true),
        ]);
        if (!latest || !high) return null;
        return toRoundedFloat(new Decimal(1).minus(new Decimal(latest.priceUsd).div(high.priceUsd)));
      },
    }),
  }),
});

async function allTimeHigh(context: Context, assetId: string, adjusted: boolean | null | undefined) {
  const actions = await adjustmentsFor(context, assetId, adjusted);
  // Without ratio changes the raw high is the answer, batched across assets through the index.
  return actions.length === 0 ? context.loaders.allTimeHigh.load(assetId) : context.data.assets.allTimeHigh(assetId, actions);
}

builder.queryFields((t) => ({
  asset: t.field({
    type: Asset,
    nullable: true,
    description: 'The asset with this symbol, case-insensitive; null when there is none.',
    args: { symbol: t.arg.string({ required: true, description: 'BTC, or a ticker such as CANG.' }) },
    resolve: (_root, { symbol }, context) => context.loaders.assetBySymbol.load(symbol.trim().toUpperCase()),
  }),
  assets: t.field({
    type: [Asset],
    description: 'Every asset, by symbol.',
    args: { kind: t.arg({ type: AssetKindEnum, description: 'Only assets of this kind (default: all).' }) },
    resolve: (_root, { kind }, context) => context.data.assets.list(kind ?? null),
  }),
}));

builder.objectFields(Company, (t) => ({
  stock: t.field({
    type: Asset,
    nullable: true,
    description: "The company's listed equity, whose prices live in price history.",
    resolve: async (company, _args, context) => {
      const asset = await context.loaders.assetBySymbol.load(company.ticker);
      return asset?.kind === 'EQUITY' ? asset : null;
    },
  }),
}));

const CreateAssetInput = builder.inputType('CreateAssetInput', {
  description: 'A new asset, before any price.',
  fields: (t) => ({
    symbol: t.string({ required: true, description: `BTC, or the company's ticker for its shares; unique. ${SYMBOL_RULE}` }),
    name: t.string({
      required: true,
      description: `The full name, e.g. "Bitcoin". Not blank, at most 200 characters; stored trimmed. ${TEXT_RULE}`,
    }),
    kind: t.field({ type: AssetKindEnum, required: true, description: "CRYPTO, or EQUITY for a company's shares." }),
    quoteCurrency: t.string({ description: 'The currency its prices are in: 3 to 5 ASCII letters, stored upper-case. Default USD.' }),
  }),
});

const CreateAssetPayload = payloadType('createAsset', (t) => ({
  asset: t.field({ type: Asset, nullable: true, description: 'The asset created; null when refused.' }),
}));

const PriceInput = builder.inputType('PriceInput', {
  description: 'One observed price, in USD per unit; only close is required (a single quote is stored as open = high = low = close).',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', required: true, description: 'When it was observed; an observation at the same instant is replaced.' }),
    open: t.field({ type: 'Decimal', description: `USD per unit at the start: greater than 0. ${describeLimit(PRICE_LIMIT)}` }),
    high: t.field({
      type: 'Decimal',
      description: `USD per unit, the highest: greater than 0, at least open, close and low. ${describeLimit(PRICE_LIMIT)}`,
    }),
    low: t.field({
      type: 'Decimal',
      description: `USD per unit, the lowest: greater than 0, at most open, close and high. ${describeLimit(PRICE_LIMIT)}`,
    }),
    close: t.field({
      type: 'Decimal',
      required: true,
      description: `USD per unit at the end: greater than 0. ${describeLimit(PRICE_LIMIT)}`,
    }),
    volume: t.field({ type: 'Decimal', description: `Units traded: not negative. ${describeLimit(VOLUME_LIMIT)}` }),
  }),
});

const RecordPricesInput = builder.inputType('RecordPricesInput', {
  description: 'Observed prices of one asset, in USD per unit (per share for an equity, as the units traded then).',
  fields: (t) => ({
    symbol: t.string({ required: true, description: `The asset's symbol. ${SYMBOL_RULE}` }),
    points: t.field({ type: [PriceInput], required: true, description: 'The observations, in any order.' }),
    source: t.field({ type: SourceInput, description: SOURCE_INPUT_DESCRIPTION }),
  }),
});

const RecordPricesPayload = payloadType('recordPrices', (t) => ({
  inserted: t.int({ description: 'Observations at instants that had none; 0 when refused.' }),
  updated: t.int({ description: 'Observations that replaced one at the same instant; 0 when refused.' }),
}));

builder.mutationFields((t) => ({
  createAsset: t.field({
    type: CreateAssetPayload,
    description: 'Creates an asset (ALREADY_EXISTS when its symbol is taken). Needs an editor key.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: CreateAssetInput, required: true, description: 'The asset.' }) },
    resolve: async (_root, { input }, context) => payload('asset', await context.data.writes.createAsset(input, actorOf(context))),
  }),
  recordPrices: t.field({
    type: RecordPricesPayload,
    description: 'Inserts or replaces observations by (symbol, at), all or none. Needs an editor key.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: RecordPricesInput, required: true, description: 'The asset and its observations.' }) },
    resolve: async (_root, { input }, context) => {
      const result = await context.data.writes.recordPrices(input, actorOf(context));
      return result.ok ? { ...result.value, userErrors: [] } : { inserted: 0, updated: 0, userErrors: result.userErrors };
    },
  }),
}));

const RecordCorporateActionInput = builder.inputType('RecordCorporateActionInput', {
  description: "A ratio change of an equity's units.",
  fields: (t) => ({
    symbol: t.string({ required: true, description: `The asset's symbol. ${SYMBOL_RULE}` }),
    effectiveOn: t.field({ type: 'Date', required: true, description: 'The first day the new units traded.' }),
    ratio: t.field({
      type: 'Decimal',
      required: true,
      description: `New units per old unit: "2" for a 2-for-1 split, "0.1" for a 1-for-10 reverse split; greater than 0 and not 1. ${describeLimit(RATIO_LIMIT)}`,
    }),
    description: t.string({
      required: true,
      description: `What happened, in words. Not blank, at most 500 characters; stored trimmed. ${MULTILINE_TEXT_RULE}`,
    }),
    source: t.field({ type: SourceInput, description: SOURCE_INPUT_DESCRIPTION }),
  }),
});

const RecordCorporateActionPayload = payloadType('recordCorporateAction', (t) => ({
  corporateAction: t.field({ type: CorporateAction, nullable: true, description: 'The ratio change recorded; null when refused.' }),
}));

builder.mutationFields((t) => ({
  recordCorporateAction: t.field({
    type: RecordCorporateActionPayload,
    description: "Records a ratio change of an equity's units; its adjusted prices follow at once. Needs an editor key.",
    authScopes: { editor: true },
    args: { input: t.arg({ type: RecordCorporateActionInput, required: true, description: 'The ratio change.' }) },
    resolve: async (_root, { input }, context) =>
      payload('corporateAction', await context.data.writes.recordCorporateAction(input, actorOf(context))),
  }),
}));
