import { builder } from '../builder.js';
import type { SiteFilter } from '../data-sources.js';
import { canonical, sum } from '../decimal.js';
import { describeLimit, HASHRATE_LIMIT, POWER_LIMIT } from '../decimal-limits.js';
import { TEXT_RULE } from '../text-rules.js';
import type { RegionSummaryModel, SiteModel, SitePurpose, SiteStatus } from '../models.js';
import { companyConnection, connectionType, pageArgs, pageComplexity, pageRequest } from '../pagination.js';
import { Company } from './company.js';
import { sourceField, SourceInput } from './source.js';
import { UserError } from './user-error.js';
import { COMPANY_ID_DESCRIPTION, COMPANY_TICKER_DESCRIPTION, actorOf, payload, rejected, withLocalCompanyId } from '../mutation.js';

export const SiteStatusEnum = builder.enumType('SiteStatus', {
  values: ['PLANNED', 'UNDER_CONSTRUCTION', 'OPERATING', 'IDLE', 'DECOMMISSIONED'] as const satisfies readonly SiteStatus[],
});

export const SitePurposeEnum = builder.enumType('SitePurpose', {
  values: ['BITCOIN_MINING', 'AI_COMPUTE', 'MIXED'] as const satisfies readonly SitePurpose[],
});

export const Site = builder.loadableNode('Site', {
  description: 'One facility of a company.',
  id: { resolve: (site: SiteModel) => site.id },
  load: (ids: string[], context) => context.data.sites.byIds(ids),
  fields: (t) => ({
    company: t.field({ type: Company, resolve: (site) => site.companyId }),
    name: t.exposeString('name'),
    region: t.exposeString('region', { description: 'e.g. "North America", "East Africa".' }),
    country: t.exposeString('country', { nullable: true }),
    status: t.field({ type: SiteStatusEnum, resolve: (site) => site.status }),
    purpose: t.field({ type: SitePurposeEnum, resolve: (site) => site.purpose }),
    powerCapacityMw: t.expose('powerCapacityMw', { type: 'Decimal', nullable: true }),
    hashrateEh: t.expose('hashrateEh', { type: 'Decimal', nullable: true, description: 'Installed hashrate in EH/s.' }),
    gridConnected: t.exposeBoolean('gridConnected', { nullable: true }),
    commissionedOn: t.expose('commissionedOn', { type: 'Date', nullable: true }),
    source: t.field(sourceField),
  }),
});

const SiteFilterInput = builder.inputType('SiteFilter', {
  fields: (t) => ({
    regions: t.stringList({ description: 'Any of these regions, exactly as recorded.' }),
    status: t.field({ type: SiteStatusEnum }),
    purpose: t.field({ type: SitePurposeEnum }),
  }),
});

export const SiteConnection = connectionType('Site', Site);

const RegionSummary = builder.objectRef<RegionSummaryModel>('RegionSummary').implement({
  fields: (t) => ({
    region: t.exposeString('region'),
    siteCount: t.exposeInt('siteCount'),
    powerCapacityMw: t.expose('powerCapacityMw', { type: 'Decimal' }),
    hashrateEh: t.expose('hashrateEh', { type: 'Decimal' }),
  }),
});

interface SiteSummaryShape {
  regions: RegionSummaryModel[];
  reportedSiteCount: number | null;
  reportedRegions: string[];
}

const SiteSummary = builder.objectRef<SiteSummaryShape>('SiteSummary').implement({
  description: "A company's sites by region, with its own reported count where sites are not public.",
  fields: (t) => ({
    siteCount: t.int({
      description: 'Sites recorded individually.',
      resolve: (summary) => summary.regions.reduce((count, region) => count + region.siteCount, 0),
    }),
    reportedSiteCount: t.exposeInt('reportedSiteCount', {
      nullable: true,
      description: 'Site count as the company last reported it (e.g. 40 for "over 40 sites"), when known.',
    }),
    reportedRegions: t.exposeStringList('reportedRegions', {
      description: 'Regions the company reports operating in, whether or not its sites are recorded individually.',
    }),
    regions: t.field({ type: [RegionSummary], resolve: (summary) => summary.regions }),
    totalPowerCapacityMw: t.field({
      type: 'Decimal',
      resolve: (summary) => canonical(sum(summary.regions.map((region) => region.powerCapacityMw))),
    }),
    totalHashrateEh: t.field({
      type: 'Decimal',
      resolve: (summary) => canonical(sum(summary.regions.map((region) => region.hashrateEh))),
    }),
  }),
});

builder.objectFields(Company, (t) => ({
  sites: t.field({
    type: SiteConnection,
    args: { ...pageArgs(t.arg), filter: t.arg({ type: SiteFilterInput }) },
    complexity: pageComplexity,
    resolve: async (company, args, context) => {
      const filter: SiteFilter = {
        regions: args.filter?.regions ?? null,
        status: args.filter?.status ?? null,
        purpose: args.filter?.purpose ?? null,
      };
      const request = pageRequest('sites', args, filter, ['text', 'id']);
      return companyConnection(context, 'sites', company.id, request, context.data.sites);
    },
  }),
  siteSummary: t.field({
    type: SiteSummary,
    resolve: async (company, _args, context) => ({
      regions: await context.loaders.regionSummaries.load(company.id),
      reportedSiteCount: company.reportedSiteCount,
      reportedRegions: company.reportedRegions,
    }),
  }),
}));

const CreateSiteInput = builder.inputType('CreateSiteInput', {
  fields: (t) => ({
    companyId: t.id({ description: COMPANY_ID_DESCRIPTION }),
    ticker: t.string({ description: COMPANY_TICKER_DESCRIPTION }),
    name: t.string({ required: true, description: `Not blank, at most 200 characters; stored trimmed. ${TEXT_RULE}` }),
    region: t.string({ required: true, description: `Not blank, at most 100 characters; stored trimmed. ${TEXT_RULE}` }),
    country: t.string({ description: `At most 100 characters; stored trimmed. ${TEXT_RULE}` }),
    status: t.field({ type: SiteStatusEnum, required: true }),
    purpose: t.field({ type: SitePurposeEnum, required: true }),
    powerCapacityMw: t.field({ type: 'Decimal', description: `MW; not negative. ${describeLimit(POWER_LIMIT)}` }),
    hashrateEh: t.field({ type: 'Decimal', description: `Installed EH/s; not negative. ${describeLimit(HASHRATE_LIMIT)}` }),
    gridConnected: t.boolean(),
    commissionedOn: t.field({ type: 'Date' }),
    source: t.field({ type: SourceInput }),
  }),
});

const CreateSitePayload = builder.simpleObject('CreateSitePayload', {
  fields: (t) => ({
    site: t.field({ type: Site, nullable: true }),
    userErrors: t.field({ type: [UserError] }),
  }),
});

builder.mutationFields((t) => ({
  createSite: t.field({
    type: CreateSitePayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: CreateSiteInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const named = withLocalCompanyId(input);
      if (!named.ok) return payload('site', rejected(...named.userErrors));
      return payload('site', await context.data.writes.createSite(named.value, actorOf(context)));
    },
  }),
}));
