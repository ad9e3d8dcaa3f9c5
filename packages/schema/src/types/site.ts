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

export const SiteStatusEnum = builder.enumType('SiteStatus', {
  description: 'Where a site stands in its life.',
  values: {
    PLANNED: { description: 'Announced; not yet being built.' },
    UNDER_CONSTRUCTION: { description: 'Being built.' },
    OPERATING: { description: 'Running.' },
    IDLE: { description: 'Built but not running.' },
    DECOMMISSIONED: { description: 'Shut down for good.' },
  } as const satisfies Record<SiteStatus, unknown>,
});

export const SitePurposeEnum = builder.enumType('SitePurpose', {
  description: 'What a site is used for.',
  values: {
    BITCOIN_MINING: { description: 'Mining bitcoin.' },
    AI_COMPUTE: { description: 'Computing for AI workloads.' },
    MIXED: { description: 'Both mining and AI compute.' },
  } as const satisfies Record<SitePurpose, unknown>,
});

export const Site = builder.loadableNode('Site', {
  description: 'One facility of a company.',
  id: { resolve: (site: SiteModel) => site.id },
  load: (ids: string[], context) => context.data.sites.byIds(ids),
  fields: (t) => ({
    company: t.field({ type: Company, description: 'The company that runs it.', resolve: (site) => site.companyId }),
    name: t.exposeString('name', { description: 'The name the company gives it.' }),
    region: t.exposeString('region', { description: 'e.g. "North America", "East Africa".' }),
    country: t.exposeString('country', { nullable: true, description: 'The country it is in; null when not reported.' }),
    status: t.field({ type: SiteStatusEnum, description: 'Where it stands in its life.', resolve: (site) => site.status }),
    purpose: t.field({ type: SitePurposeEnum, description: 'What it is used for.', resolve: (site) => site.purpose }),
    powerCapacityMw: t.expose('powerCapacityMw', {
      type: 'Decimal',
      nullable: true,
      description: 'Power capacity in MW; null when not reported.',
    }),
    hashrateEh: t.expose('hashrateEh', {
      type: 'Decimal',
      nullable: true,
      description: 'Installed hashrate in EH/s; null when not reported.',
    }),
    gridConnected: t.exposeBoolean('gridConnected', {
      nullable: true,
      description: 'True when it draws from the public grid, false when off-grid; null when not reported.',
    }),
    commissionedOn: t.expose('commissionedOn', {
      type: 'Date',
      nullable: true,
      description: 'The day it started operating; null when not reported.',
    }),
    source: t.field(sourceField),
  }),
});

const SiteFilterInput = builder.inputType('SiteFilter', {
  description: 'Which sites to list; every condition given must hold.',
  fields: (t) => ({
    regions: t.stringList({ description: 'Any of these regions, exactly as recorded.' }),
    status: t.field({ type: SiteStatusEnum, description: 'Sites with this status.' }),
    purpose: t.field({ type: SitePurposeEnum, description: 'Sites with this purpose.' }),
  }),
});

export const SiteConnection = connectionType('Site', Site, 'sites');

const RegionSummary = builder.objectRef<RegionSummaryModel>('RegionSummary').implement({
  description: "A company's individually recorded sites in one region.",
  fields: (t) => ({
    region: t.exposeString('region', { description: 'The region, as recorded.' }),
    siteCount: t.exposeInt('siteCount', { description: 'Sites recorded in the region.' }),
    powerCapacityMw: t.expose('powerCapacityMw', { type: 'Decimal', description: 'MW: the sum over its sites that report it.' }),
    hashrateEh: t.expose('hashrateEh', { type: 'Decimal', description: 'EH/s: the sum over its sites that report it.' }),
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
    regions: t.field({
      type: [RegionSummary],
      description: 'The recorded sites, region by region.',
      resolve: (summary) => summary.regions,
    }),
    totalPowerCapacityMw: t.field({
      type: 'Decimal',
      description: 'MW over all regions.',
      resolve: (summary) => canonical(sum(summary.regions.map((region) => region.powerCapacityMw))),
    }),
    totalHashrateEh: t.field({
      type: 'Decimal',
      description: 'EH/s over all regions.',
      resolve: (summary) => canonical(sum(summary.regions.map((region) => region.hashrateEh))),
    }),
  }),
});

builder.objectFields(Company, (t) => ({
  sites: t.field({
    type: SiteConnection,
    description: 'A page of its individually recorded sites, by name.',
    args: { ...pageArgs(t.arg), filter: t.arg({ type: SiteFilterInput, description: 'Which sites (default: all).' }) },
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
    description: 'Its sites by region, and its own reported count.',
    resolve: async (company, _args, context) => ({
      regions: await context.loaders.regionSummaries.load(company.id),
      reportedSiteCount: company.reportedSiteCount,
      reportedRegions: company.reportedRegions,
    }),
  }),
}));

const CreateSiteInput = builder.inputType('CreateSiteInput', {
  description: 'A new site of a company.',
  fields: (t) => ({
    companyId: t.id({ description: COMPANY_ID_DESCRIPTION }),
    ticker: t.string({ description: COMPANY_TICKER_DESCRIPTION }),
    name: t.string({
      required: true,
      description: `The name the company gives it. Not blank, at most 200 characters; stored trimmed. ${TEXT_RULE}`,
    }),
    region: t.string({
      required: true,
      description: `e.g. "North America". Not blank, at most 100 characters; stored trimmed. ${TEXT_RULE}`,
    }),
    country: t.string({ description: `The country it is in. At most 100 characters; stored trimmed. ${TEXT_RULE}` }),
    status: t.field({ type: SiteStatusEnum, required: true, description: 'Where it stands in its life.' }),
    purpose: t.field({ type: SitePurposeEnum, required: true, description: 'What it is used for.' }),
    powerCapacityMw: t.field({ type: 'Decimal', description: `Power capacity in MW; not negative. ${describeLimit(POWER_LIMIT)}` }),
    hashrateEh: t.field({ type: 'Decimal', description: `Installed EH/s; not negative. ${describeLimit(HASHRATE_LIMIT)}` }),
    gridConnected: t.boolean({ description: 'True when it draws from the public grid, false when off-grid.' }),
    commissionedOn: t.field({ type: 'Date', description: 'The day it started operating.' }),
    source: t.field({ type: SourceInput, description: SOURCE_INPUT_DESCRIPTION }),
  }),
});

const CreateSitePayload = builder.simpleObject('CreateSitePayload', {
  description: 'What createSite did.',
  fields: (t) => ({
    site: t.field({ type: Site, nullable: true, description: 'The site created; null when refused.' }),
    userErrors: t.field({ type: [UserError], description: USER_ERRORS_DESCRIPTION }),
  }),
});

builder.mutationFields((t) => ({
  createSite: t.field({
    type: CreateSitePayload,
    description: 'Records a site of a company. Needs an editor key.',
    authScopes: { editor: true },
    args: { input: t.arg({ type: CreateSiteInput, required: true, description: 'The site.' }) },
    resolve: async (_root, { input }, context) => {
      const named = withLocalCompanyId(input);
      if (!named.ok) return payload('site', rejected(...named.userErrors));
      return payload('site', await context.data.writes.createSite(named.value, actorOf(context)));
    },
  }),
}));
