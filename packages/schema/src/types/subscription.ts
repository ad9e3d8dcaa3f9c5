import { builder } from '../builder.js';
import type { ChangeFeed, FeedEvent } from '../changes.js';
import type { Context } from '../context.js';
import { clientError } from '../error-codes.js';
import { Asset } from './asset.js';
import { Company } from './company.js';

// Subscriptions say what changed, so that a client can re-read what it shows; the server
// hears every committed write, from any process, through its change feed.

type PricesEvent = Extract<FeedEvent, { kind: 'prices' }>;
type CompanyEvent = Extract<FeedEvent, { kind: 'company' }>;
type FactsEvent = Extract<FeedEvent, { kind: 'facts' }>;

const COMPANY_RECORDS = {
  company: 'COMPANY',
  site: 'SITE',
  treasuryTransaction: 'TREASURY_TRANSACTION',
  productionReport: 'PRODUCTION_REPORT',
  holdingsReport: 'HOLDINGS_REPORT',
  loan: 'LOAN',
  loanRepayment: 'LOAN_REPAYMENT',
} as const;

const CompanyRecordEnum = builder.enumType('CompanyRecord', {
  description: 'Which kind of record of a company a write recorded.',
  values: {
    COMPANY: { description: 'The company itself (its name, exchange or business lines).' },
    SITE: { description: 'One of its sites.' },
    TREASURY_TRANSACTION: { description: 'A BTC treasury transaction (mined, bought, sold, other).' },
    PRODUCTION_REPORT: { description: 'A production report, with the flows and holdings figure it carries.' },
    HOLDINGS_REPORT: { description: 'A reported holdings figure.' },
    LOAN: { description: 'A loan or other debt.' },
    LOAN_REPAYMENT: { description: 'A repayment of one of its loans (and the sale that funded it, if any).' },
  } as const satisfies Record<(typeof COMPANY_RECORDS)[keyof typeof COMPANY_RECORDS], unknown>,
});

const PricesRecorded = builder.objectRef<PricesEvent>('PricesRecorded').implement({
  description:
    'Price points of one asset were recorded or replaced: by a mutation, `prices import` or `prices sync`. Re-read the prices you show.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: "The asset's symbol, upper case." }),
    asset: t.field({
      type: Asset,
      description: 'The asset, read after the write.',
      resolve: (event, _args, context) => Asset.getDataloader(context).load(event.assetId),
    }),
    inserted: t.exposeInt('inserted', { description: 'Points that were new.' }),
    updated: t.exposeInt('updated', { description: 'Points that replaced stored ones.' }),
    from: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The earliest instant written, when the writer said (a CSV import does not).',
      resolve: (event) => (event.from ? new Date(event.from) : null),
    }),
    to: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The latest instant written, when the writer said.',
      resolve: (event) => (event.to ? new Date(event.to) : null),
    }),
  }),
});

const CompanyChanged = builder.objectRef<CompanyEvent>('CompanyChanged').implement({
  description:
    'A company or one of its records was written: a treasury transaction, production report, holdings report, loan, repayment, site, or the company itself. `company` is read after the write, so `company { holdings { btc } }` is the new holdings.',
  fields: (t) => ({
    ticker: t.string({ description: "The company's ticker.", resolve: (event) => event.ticker ?? '' }),
    company: t.field({
      type: Company,
      description: 'The company, read after the write.',
      resolve: (event, _args, context) => Company.getDataloader(context).load(event.companyId),
    }),
    record: t.field({
      type: CompanyRecordEnum,
      description: 'Which kind of record was written.',
      resolve: (event) => COMPANY_RECORDS[event.record as keyof typeof COMPANY_RECORDS] ?? 'COMPANY',
    }),
    ids: t.stringList({
      description: "The database ids of the rows written (a repayment: the repayment's, then its sale's when it sold bitcoin).",
      resolve: (event) => event.ids,
    }),
  }),
});

const FactsChangeReasonEnum = builder.enumType('FactsChangeReason', {
  description: 'Why many facts changed at once.',
  values: { SEED: { description: 'The seed facts were loaded.' }, SYNC: { description: 'A facts sync applied changes.' } } as const,
});

const FactsChanged = builder.objectRef<FactsEvent>('FactsChanged').implement({
  description: 'Many facts changed at once (the seed, a facts sync): re-read everything you show.',
  fields: (t) => ({
    reason: t.field({
      type: FactsChangeReasonEnum,
      description: 'What changed them.',
      resolve: (event) => (event.reason === 'sync' ? 'SYNC' : 'SEED'),
    }),
  }),
});

function feedOf(context: Context): ChangeFeed {
  if (!context.changes) {
    throw clientError(
      'BAD_REQUEST',
      'Subscriptions are served over WebSocket (the graphql-ws protocol) at this endpoint, not over HTTP POST.',
    );
  }
  return context.changes;
}

const notFound = (message: string, field: string) => clientError('NOT_FOUND', message, { extensions: { field: [field] } });

builder.subscriptionType({
  description: 'Events over WebSocket (the graphql-ws protocol at /graphql): each says what changed, so a client can re-read.',
});

builder.subscriptionFields((t) => ({
  pricesRecorded: t.field({
    type: PricesRecorded,
    description: 'Every time price points of this asset (case-insensitive), or of any asset when none is named, are recorded or replaced.',
    args: { symbol: t.arg.string({ description: 'The asset to hear of; every asset when omitted.' }) },
    subscribe: async (_root, { symbol }, context) => {
      const feed = feedOf(context);
      if (symbol === null || symbol === undefined) return feed.listen({ kind: 'prices', assetId: null });
      const asset = await context.loaders.assetBySymbol.load(symbol.trim().toUpperCase());
      if (!asset) throw notFound(`No asset has the symbol ${JSON.stringify(symbol)}.`, 'symbol');
      return feed.listen({ kind: 'prices', assetId: asset.id });
    },
    resolve: (event) => event,
  }),
  companyChanged: t.field({
    type: CompanyChanged,
    description: 'Every time a record of this company (case-insensitive ticker) is written.',
    args: { ticker: t.arg.string({ required: true, description: 'The company to hear of.' }) },
    subscribe: async (_root, { ticker }, context) => {
      const feed = feedOf(context);
      const company = await context.loaders.companyByTicker.load(ticker.trim().toUpperCase());
      if (!company) throw notFound(`No company has the ticker ${JSON.stringify(ticker)}.`, 'ticker');
      return feed.listen({ kind: 'company', companyId: company.id });
    },
    resolve: (event) => event,
  }),
  factsChanged: t.field({
    type: FactsChanged,
    description: 'Every time many facts change at once: the seed is loaded, or a facts sync applies changes.',
    subscribe: (_root, _args, context) => feedOf(context).listen({ kind: 'facts' }),
    resolve: (event) => event,
  }),
}));
