import { builder } from '../builder.js';
import type { CompanyFilter } from '../data-sources.js';
import type { BusinessLine, CompanyModel, CompanyOrder, OfficerModel } from '../models.js';
import { connectionType, pageArgs, pageComplexity, pageRequest, toConnection, type CursorPart } from '../pagination.js';
import { sourceField } from './source.js';
import { SYMBOL_RULE, TEXT_RULE } from '../text-rules.js';
import { UserError } from './user-error.js';
import { actorOf, payload } from '../mutation.js';

export const BusinessLineEnum = builder.enumType('BusinessLine', {
  values: {
    BITCOIN_MINING: { description: 'Mining bitcoin.' },
    AI_COMPUTE: { description: 'Running AI compute (GPUs) for its own or its customers’ workloads.' },
    HPC_HOSTING: { description: 'Hosting high-performance computing for others (data-center capacity, colocation).' },
  } as const satisfies Record<BusinessLine, unknown>,
});

export const CompanyOrderEnum = builder.enumType('CompanyOrder', {
  values: {
    TICKER_ASC: { description: 'By ticker, A to Z.' },
    NAME_ASC: { description: 'By name, A to Z.' },
    HOLDINGS_DESC: { description: 'By BTC held at the end of today, largest first.' },
    LATEST_REPORTED_BTC_DESC: {
      description:
        'By the latest holdings figure each company reported (latestHoldingsReport.btc), largest first; companies without one last. Figures may be of different days and bases: read latestHoldingsReport.on and .basis.',
    },
  } as const,
});

export const Officer = builder.objectRef<OfficerModel>('Officer').implement({
  description: 'A named officer of a company.',
  fields: (t) => ({
    name: t.exposeString('name'),
    role: t.exposeString('role', { description: 'CEO, CTO, CFO, ...' }),
    since: t.expose('since', { type: 'Date', nullable: true }),
    previousEmployer: t.exposeString('previousEmployer', { nullable: true }),
    source: t.field(sourceField),
  }),
});

export const Company = builder.loadableNode('Company', {
  description: 'A publicly listed company.',
  id: { resolve: (company: CompanyModel) => company.id },
  load: (ids: string[], context) => context.data.companies.byIds(ids),
  fields: (t) => ({
    name: t.exposeString('name'),
    ticker: t.exposeString('ticker', { description: 'Upper-case, unique.' }),
    exchange: t.exposeString('exchange', { nullable: true }),
    businessLines: t.field({ type: [BusinessLineEnum], resolve: (company) => company.businessLines }),
    officers: t.field({
      type: [Officer],
      resolve: (company, _args, context) => context.loaders.officers.load(company.id),
    }),
    source: t.field(sourceField),
  }),
});

const CompanyFilterInput = builder.inputType('CompanyFilter', {
  fields: (t) => ({
    tickers: t.stringList({ description: 'Any of these tickers, case-insensitive.' }),
    businessLine: t.field({ type: BusinessLineEnum }),
    nameContains: t.string({ description: 'Case-insensitive substring of the name.' }),
    hasBtcBackedDebt: t.boolean({
      description: 'true: companies with a BTC-backed loan or a debt with BTC pledged; false: those without.',
    }),
  }),
});

export const CompanyConnection = connectionType('Company', Company);

const COMPANY_CURSOR: Record<CompanyOrder, CursorPart[]> = {
  TICKER_ASC: ['text'],
  NAME_ASC: ['text', 'id'],
  HOLDINGS_DESC: ['decimal', 'id'],
  LATEST_REPORTED_BTC_DESC: ['decimal', 'id'],
};

builder.queryFields((t) => ({
  company: t.field({
    type: Company,
    nullable: true,
    description: 'Case-insensitive.',
    args: { ticker: t.arg.string({ required: true }) },
    resolve: (_root, { ticker }, context) =>
      context.loaders.companyByTicker.load(ticker.trim().toUpperCase()),
  }),
  companies: t.field({
    type: CompanyConnection,
    args: {
      ...pageArgs(t.arg),
      filter: t.arg({ type: CompanyFilterInput }),
      orderBy: t.arg({ type: CompanyOrderEnum, defaultValue: 'TICKER_ASC' }),
    },
    complexity: pageComplexity,
    resolve: async (_root, args, context) => {
      const filter: CompanyFilter = {
        tickers: args.filter?.tickers?.map((ticker) => ticker.trim().toUpperCase()) ?? null,
        businessLine: args.filter?.businessLine ?? null,
        nameContains: args.filter?.nameContains ?? null,
        hasBtcBackedDebt: args.filter?.hasBtcBackedDebt ?? null,
      };
      const orderBy = args.orderBy ?? 'TICKER_ASC';
      const request = pageRequest(`companies:${orderBy}`, args, filter, COMPANY_CURSOR[orderBy]);
      const page = await context.data.companies.page({ ...request, orderBy, holdingsOn: context.today });
      for (const edge of page.edges) Company.getDataloader(context).prime(edge.node.id, edge.node);
      return toConnection(`companies:${orderBy}`, request, page, () => context.data.companies.count(filter));
    },
  }),
}));

const CreateCompanyInput = builder.inputType('CreateCompanyInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: `Not blank, at most 200 characters; stored trimmed. ${TEXT_RULE}` }),
    ticker: t.string({ required: true, description: SYMBOL_RULE }),
    exchange: t.string({ description: `At most 50 characters; stored trimmed. ${TEXT_RULE}` }),
    businessLines: t.field({ type: [BusinessLineEnum] }),
  }),
});

const CreateCompanyPayload = builder.simpleObject('CreateCompanyPayload', {
  fields: (t) => ({
    company: t.field({ type: Company, nullable: true }),
    userErrors: t.field({ type: [UserError] }),
  }),
});

builder.mutationFields((t) => ({
  createCompany: t.field({
    type: CreateCompanyPayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: CreateCompanyInput, required: true }) },
    resolve: async (_root, { input }, context) =>
      payload('company', await context.data.writes.createCompany(input, actorOf(context))),
  }),
}));
