import { builder } from '../builder.js';
import { daysInclusive } from '../calendar.js';
import { canonical, Decimal, divide } from '../decimal.js';
import { BTC_LIMIT, describeLimit, HASHRATE_LIMIT, USD_AMOUNT_LIMIT } from '../decimal-limits.js';
import { IDEMPOTENCY_KEY_DESCRIPTION } from '../text-rules.js';
import type { ProductionReportModel, ReportPeriod } from '../models.js';
import { companyConnection, connectionType, pageArgs, pageComplexity, pageRequest } from '../pagination.js';
import { Company } from './company.js';
import { FieldCitation, sourceField, SourceInput } from './source.js';
import { UserError } from './user-error.js';
import { COMPANY_ID_DESCRIPTION, COMPANY_TICKER_DESCRIPTION, actorOf, payload, rejected, withLocalCompanyId } from '../mutation.js';

export const ReportPeriodEnum = builder.enumType('ReportPeriod', {
  values: ['MONTH', 'QUARTER', 'YEAR'] as const satisfies readonly ReportPeriod[],
});

export const ProductionReport = builder.loadableNode('ProductionReport', {
  description: 'A monthly (or other period) production update as the company published it.',
  id: { resolve: (report: ProductionReportModel) => report.id },
  load: (ids: string[], context) => context.data.production.byIds(ids),
  fields: (t) => ({
    company: t.field({ type: Company, resolve: (report) => report.companyId }),
    periodStart: t.expose('periodStart', { type: 'Date' }),
    periodEnd: t.expose('periodEnd', { type: 'Date' }),
    period: t.field({
      type: ReportPeriodEnum,
      nullable: true,
      description: 'The period as the company published it; a quarter is one report, never split into months. Null when not stated.',
      resolve: (report) => report.period,
    }),
    minedBtc: t.expose('minedBtc', { type: 'Decimal' }),
    soldBtc: t.expose('soldBtc', { type: 'Decimal', nullable: true }),
    soldUsd: t.expose('soldUsd', { type: 'Decimal', nullable: true }),
    heldBtc: t.expose('heldBtc', { type: 'Decimal', nullable: true, description: 'Holdings at periodEnd as reported.' }),
    deployedHashrateEh: t.expose('deployedHashrateEh', { type: 'Decimal', nullable: true }),
    operatingHashrateEh: t.expose('operatingHashrateEh', { type: 'Decimal', nullable: true }),
    btcPerDay: t.field({
      type: 'Decimal',
      description: 'minedBtc / days in the period (both ends included), rounded half-up to 8 places.',
      resolve: (report) => canonical(divide(report.minedBtc, daysInclusive(report.periodStart, report.periodEnd))),
    }),
    btcPerEhPerDay: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'minedBtc / operatingHashrateEh / days, rounded half-up to 8 places; null without operating hashrate.',
      resolve: (report) => {
        if (report.operatingHashrateEh === null || new Decimal(report.operatingHashrateEh).isZero()) return null;
        const days = daysInclusive(report.periodStart, report.periodEnd);
        return canonical(divide(report.minedBtc, new Decimal(report.operatingHashrateEh).times(days)));
      },
    }),
    source: t.field(sourceField),
    citations: t.field({
      type: [FieldCitation],
      description: 'The page and sentence each number was quoted from, when they differ by number (reports from the data files).',
      resolve: (report, _args, context) => context.loaders.productionCitations.load(report.id),
    }),
  }),
});

export const ProductionReportConnection = connectionType('ProductionReport', ProductionReport);

builder.objectFields(Company, (t) => ({
  productionReports: t.field({
    type: ProductionReportConnection,
    description: 'Newest period first.',
    args: {
      ...pageArgs(t.arg),
      periodEndFrom: t.arg({ type: 'Date', description: 'Only reports whose period ends on or after this day.' }),
    },
    complexity: pageComplexity,
    resolve: async (company, args, context) => {
      const filter = { periodEndFrom: args.periodEndFrom ?? null };
      const request = pageRequest('productionReports', args, filter, ['day', 'id']);
      return companyConnection(context, 'productionReports', company.id, request, {
        pages: context.data.production.pages,
        counts: (ids) => context.data.production.counts(ids, filter),
      });
    },
  }),
}));

const RecordProductionReportInput = builder.inputType('RecordProductionReportInput', {
  fields: (t) => ({
    companyId: t.id({ description: COMPANY_ID_DESCRIPTION }),
    ticker: t.string({ description: COMPANY_TICKER_DESCRIPTION }),
    periodStart: t.field({ type: 'Date', required: true }),
    periodEnd: t.field({ type: 'Date', required: true }),
    minedBtc: t.field({ type: 'Decimal', required: true, description: `Not negative. ${describeLimit(BTC_LIMIT)}` }),
    soldBtc: t.field({ type: 'Decimal', description: `Not negative. ${describeLimit(BTC_LIMIT)}` }),
    soldUsd: t.field({ type: 'Decimal', description: `Proceeds of soldBtc; not negative. ${describeLimit(USD_AMOUNT_LIMIT)}` }),
    heldBtc: t.field({ type: 'Decimal', description: `Holdings at periodEnd; not negative. ${describeLimit(BTC_LIMIT)}` }),
    deployedHashrateEh: t.field({ type: 'Decimal', description: `EH/s; not negative. ${describeLimit(HASHRATE_LIMIT)}` }),
    operatingHashrateEh: t.field({ type: 'Decimal', description: `EH/s; not negative. ${describeLimit(HASHRATE_LIMIT)}` }),
    source: t.field({ type: SourceInput }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const RecordProductionReportPayload = builder.simpleObject('RecordProductionReportPayload', {
  fields: (t) => ({
    report: t.field({ type: ProductionReport, nullable: true }),
    userErrors: t.field({ type: [UserError] }),
  }),
});

builder.mutationFields((t) => ({
  recordProductionReport: t.field({
    type: RecordProductionReportPayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: RecordProductionReportInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const named = withLocalCompanyId(input);
      if (!named.ok) return payload('report', rejected(...named.userErrors));
      return payload('report', await context.data.writes.recordProductionReport(named.value, actorOf(context)));
    },
  }),
}));
