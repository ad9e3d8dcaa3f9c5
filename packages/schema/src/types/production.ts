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

export const ReportPeriodEnum = builder.enumType('ReportPeriod', {
  description: 'The length of the period a production report covers, as the company published it.',
  values: {
    MONTH: { description: 'A calendar month.' },
    QUARTER: { description: 'A calendar or fiscal quarter: one report, never split into months.' },
    YEAR: { description: 'A calendar or fiscal year.' },
  } as const satisfies Record<ReportPeriod, unknown>,
});

export const ProductionReport = builder.loadableNode('ProductionReport', {
  description: 'A monthly (or other period) production update as the company published it.',
  id: { resolve: (report: ProductionReportModel) => report.id },
  load: (ids: string[], context) => context.data.production.byIds(ids),
  fields: (t) => ({
    company: t.field({ type: Company, description: 'The company that published it.', resolve: (report) => report.companyId }),
    periodStart: t.expose('periodStart', { type: 'Date', description: 'The first day of the period.' }),
    periodEnd: t.expose('periodEnd', { type: 'Date', description: 'The last day of the period (included).' }),
    period: t.field({
      type: ReportPeriodEnum,
      nullable: true,
      description: 'The period as the company published it; a quarter is one report, never split into months. Null when not stated.',
      resolve: (report) => report.period,
    }),
    minedBtc: t.expose('minedBtc', { type: 'Decimal', description: 'BTC mined in the period.' }),
    soldBtc: t.expose('soldBtc', { type: 'Decimal', nullable: true, description: 'BTC sold in the period; null when not reported.' }),
    soldUsd: t.expose('soldUsd', { type: 'Decimal', nullable: true, description: 'USD proceeds of soldBtc; null when not reported.' }),
    heldBtc: t.expose('heldBtc', {
      type: 'Decimal',
      nullable: true,
      description: 'BTC held at the end of periodEnd, as reported; null when not reported.',
    }),
    deployedHashrateEh: t.expose('deployedHashrateEh', {
      type: 'Decimal',
      nullable: true,
      description: 'EH/s of machines installed, as reported; null when not reported.',
    }),
    operatingHashrateEh: t.expose('operatingHashrateEh', {
      type: 'Decimal',
      nullable: true,
      description: 'EH/s actually hashing (the average over the period when so reported); null when not reported.',
    }),
    btcPerDay: t.field({
      type: 'Decimal',
      description: 'BTC mined a day: minedBtc / days in the period (both ends included), rounded half-up to 8 places.',
      resolve: (report) => canonical(divide(report.minedBtc, daysInclusive(report.periodStart, report.periodEnd))),
    }),
    btcPerEhPerDay: t.field({
      type: 'Decimal',
      nullable: true,
      description:
        'BTC mined a day per EH/s: minedBtc / operatingHashrateEh / days, rounded half-up to 8 places; null without operating hashrate.',
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

export const ProductionReportConnection = connectionType('ProductionReport', ProductionReport, 'production reports');

builder.objectFields(Company, (t) => ({
  productionReports: t.field({
    type: ProductionReportConnection,
    description: 'A page of its production reports, newest period first.',
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
  description: 'A production update as the company published it.',
  fields: (t) => ({
    companyId: t.id({ description: COMPANY_ID_DESCRIPTION }),
    ticker: t.string({ description: COMPANY_TICKER_DESCRIPTION }),
    periodStart: t.field({ type: 'Date', required: true, description: 'The first day of the period.' }),
    periodEnd: t.field({ type: 'Date', required: true, description: 'The last day of the period (included): not before periodStart.' }),
    minedBtc: t.field({
      type: 'Decimal',
      required: true,
      description: `BTC mined in the period, recorded as a MINED flow on periodEnd: not negative. ${describeLimit(BTC_LIMIT)}`,
    }),
    soldBtc: t.field({
      type: 'Decimal',
      description: `BTC sold in the period, recorded as a SOLD flow on periodEnd: not negative. ${describeLimit(BTC_LIMIT)}`,
    }),
    soldUsd: t.field({
      type: 'Decimal',
      description: `USD proceeds of soldBtc (which it needs); not negative. ${describeLimit(USD_AMOUNT_LIMIT)}`,
    }),
    heldBtc: t.field({
      type: 'Decimal',
      description: `BTC held at the end of periodEnd, recorded as a holdings anchor: not negative. ${describeLimit(BTC_LIMIT)}`,
    }),
    deployedHashrateEh: t.field({ type: 'Decimal', description: `EH/s installed; not negative. ${describeLimit(HASHRATE_LIMIT)}` }),
    operatingHashrateEh: t.field({ type: 'Decimal', description: `EH/s hashing; not negative. ${describeLimit(HASHRATE_LIMIT)}` }),
    source: t.field({ type: SourceInput, description: SOURCE_INPUT_DESCRIPTION }),
    idempotencyKey: t.string({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
  }),
});

const RecordProductionReportPayload = builder.simpleObject('RecordProductionReportPayload', {
  description: 'What recordProductionReport did.',
  fields: (t) => ({
    report: t.field({ type: ProductionReport, nullable: true, description: 'The report recorded; null when refused.' }),
    userErrors: t.field({ type: [UserError], description: USER_ERRORS_DESCRIPTION }),
  }),
});

builder.mutationFields((t) => ({
  recordProductionReport: t.field({
    type: RecordProductionReportPayload,
    description:
      'Records a production report and, linked to it, its flows (MINED and SOLD on periodEnd) and its held figure as a holdings anchor, in one transaction. Needs an editor key.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: RecordProductionReportInput, required: true, description: 'The report.' }) },
    resolve: async (_root, { input }, context) => {
      const named = withLocalCompanyId(input);
      if (!named.ok) return payload('report', rejected(...named.userErrors));
      return payload('report', await context.data.writes.recordProductionReport(named.value, actorOf(context)));
    },
  }),
}));
