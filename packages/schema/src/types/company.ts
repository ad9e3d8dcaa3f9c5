import { builder } from '../builder.js';
import type { CompanyFilter } from '../data-sources.js';
import type { BusinessLine, CompanyModel, CompanyOrder, OfficerModel } from '../models.js';
import { connectionType, pageArgs, pageComplexity, pageRequest, toConnection, type CursorPart } from '../pagination.js';
import { sourceField } from './source.js';
import { SYMBOL_RULE, TEXT_RULE } from '../text-rules.js';
import { actorOf, payload, payloadType } from '../mutation.js';

export const BusinessLineEnum = builder.enumType('BusinessLine', {
  description: 'A line of business a company is in.',
  values: {
    BITCOIN_MINING: { description: 'Mining bitcoin.' },
    AI_COMPUTE: { description: 'Running AI compute (GPUs) for its own or its customers’ workloads.' },
    HPC_HOSTING: { description: 'Hosting high-performance computing for others (data-center capacity, colocation).' },
  } as const satisfies Record<BusinessLine, unknown>,
});

export const CompanyOrderEnum = builder.enumType('CompanyOrder', {
  description: 'The order of a page of companies.',
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
    name: t.exposeString('name', { description: 'The person\'s name, e.g. "Paul Yu".' }),
    role: t.exposeString('role', { description: 'CEO, CTO, CFO, ...' }),
    since: t.expose('since', { type: 'Date', nullable: true, description: 'The day they took the role; null when not reported.' }),
    previousEmployer: t.exposeString('previousEmployer', {
      nullable: true,
      description: 'Where they worked before, when reported, e.g. "Zoom".',
    }),
    source: t.field(sourceField),
  }),
});

export const Company = builder.loadableNode('Company', {
  description: 'A publicly listed company.',
  id: { resolve: (company: CompanyModel) => company.id },
  load: (ids: string[], context) => context.data.companies.byIds(ids),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The legal name, e.g. "Cango Inc.".' }),
    ticker: t.exposeString('ticker', { description: 'Upper-case, unique.' }),
    exchange: t.exposeString('exchange', {
      nullable: true,
      description: 'Where its shares are listed, e.g. "NYSE"; null when not recorded.',
    }),
    businessLines: t.field({
      type: [BusinessLineEnum],
      description: 'What it does; a company may be in several lines.',
      resolve: (company) => company.businessLines,
    }),
    officers: t.field({
      type: [Officer],
      description: 'Its named officers.',
      resolve: (company, _args, context) => context.loaders.officers.load(company.id),
    }),
    source: t.field(sourceField),
  }),
});

const CompanyFilterInput = builder.inputType('CompanyFilter', {
  description: 'Which companies to list; every condition given must hold.',
  fields: (t) => ({
    tickers: t.stringList({ description: 'Any of these tickers, case-insensitive.' }),
    businessLine: t.field({ type: BusinessLineEnum, description: 'Companies in this line of business (among others).' }),
    nameContains: t.string({ description: 'Case-insensitive substring of the name.' }),
    hasBtcBackedDebt: t.boolean({
      description: 'true: companies with a BTC-backed loan or a debt with BTC pledged; false: those without.',
    }),
  }),
});

export const CompanyConnection = connectionType('Company', Company, 'companies');

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
    description: 'The company with this ticker, case-insensitive; null when there is none.',
    args: { ticker: t.arg.string({ required: true, description: 'e.g. "CANG".' }) },
    resolve: (_root, { ticker }, context) => context.loaders.companyByTicker.load(ticker.trim().toUpperCase()),
  }),
  companies: t.field({
    type: CompanyConnection,
    description: 'A page of the companies that match the filter, in the order asked for.',
    args: {
      ...pageArgs(t.arg),
      filter: t.arg({ type: CompanyFilterInput, description: 'Which companies (default: all).' }),
      orderBy: t.arg({ type: CompanyOrderEnum, defaultValue: 'TICKER_ASC', description: 'The order (default: by ticker).' }),
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
  description: 'A new listed company.',
  fields: (t) => ({
    name: t.string({ required: true, description: `The legal name. Not blank, at most 200 characters; stored trimmed. ${TEXT_RULE}` }),
    ticker: t.string({ required: true, description: `Its ticker, unique. ${SYMBOL_RULE}` }),
    exchange: t.string({ description: `Where its shares are listed, e.g. "NYSE". At most 50 characters; stored trimmed. ${TEXT_RULE}` }),
    businessLines: t.field({ type: [BusinessLineEnum], description: 'What it does (default: none recorded).' }),
  }),
});

const CreateCompanyPayload = payloadType('createCompany', (t) => ({
  company: t.field({ type: Company, nullable: true, description: 'The company created; null when refused.' }),
}));

builder.mutationFields((t) => ({
  createCompany: t.field({
    type: CreateCompanyPayload,
    description: 'Creates a company (ALREADY_EXISTS when its ticker is taken). Needs an editor key.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: CreateCompanyInput, required: true, description: 'The company.' }) },
    resolve: async (_root, { input }, context) => payload('company', await context.data.writes.createCompany(input, actorOf(context))),
  }),
}));
