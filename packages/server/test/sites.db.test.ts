import type { Insertable } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { SitesTable } from '../src/db/database.js';
import { insertCompany } from '../src/repositories/company.repository.js';
import { insertSource } from '../src/repositories/source.repository.js';
import { useTestServer } from '@minergraph/test-support';

const served = useTestServer({
  setup: async (database) => {
    const survey = await insertSource(database.db, {
      title: 'Test site survey',
      url: 'https://example.test/survey',
      publisher: 'Test',
      published_on: '2026-03-01',
    });
    const tests = await insertCompany(database.db, { name: 'Test Sites Co', ticker: 'TSTS' });
    const other = await insertCompany(database.db, { name: 'Test Other Co', ticker: 'TSTO' });
    const site = (values: Pick<Insertable<SitesTable>, 'name' | 'region' | 'status' | 'purpose'> & Partial<Insertable<SitesTable>>) => ({
      company_id: tests.id,
      country: null,
      power_capacity_mw: null,
      hashrate_eh: null,
      grid_connected: null,
      commissioned_on: null,
      source_id: null,
      ...values,
    });
    // Inserted out of name order, so that order by name is not order of insertion.
    await database.db
      .insertInto('sites')
      .values([
        site({
          name: 'Delta Plains',
          region: 'East Africa',
          country: 'ET',
          status: 'UNDER_CONSTRUCTION',
          purpose: 'MIXED',
          hashrate_eh: '0.75',
        }),
        site({
          name: 'Bravo Flats',
          region: 'North America',
          country: 'CA',
          status: 'IDLE',
          purpose: 'BITCOIN_MINING',
          power_capacity_mw: '40',
          grid_connected: false,
        }),
        site({ name: 'Echo Hills', region: 'Middle East', status: 'PLANNED', purpose: 'BITCOIN_MINING' }),
        site({
          name: 'Alpha Ridge',
          region: 'North America',
          country: 'US',
          status: 'OPERATING',
          purpose: 'BITCOIN_MINING',
          power_capacity_mw: '100.50',
          hashrate_eh: '3.25',
          grid_connected: true,
          commissioned_on: '2024-05-01',
          source_id: survey,
        }),
        site({
          name: 'Charlie Dunes',
          region: 'Middle East',
          country: 'OM',
          status: 'OPERATING',
          purpose: 'AI_COMPUTE',
          power_capacity_mw: '60.25',
          grid_connected: true,
          commissioned_on: '2025-01-15',
        }),
        // Another company's site with a name TSTS also uses: it must never show up under TSTS.
        site({
          company_id: other.id,
          name: 'Alpha Ridge',
          region: 'North America',
          status: 'OPERATING',
          purpose: 'AI_COMPUTE',
          power_capacity_mw: '7',
        }),
      ])
      .execute();
  },
});

async function ask(query: string, variables?: Record<string, unknown>) {
  const data = await served.server.query(query, variables);
  return data;
}

async function siteNames(args: string) {
  const data = await ask(`{ company(ticker: "TSTS") { sites${args} { totalCount edges { node { name } } } } }`);
  const { totalCount, edges } = data.company.sites;
  return { totalCount, names: edges.map((edge: { node: { name: string } }) => edge.node.name) };
}

describe("a company's sites", () => {
  it('are listed by name, with every field as recorded and decimals in canonical form', async () => {
    const data = await ask(`{ company(ticker: "TSTS") { sites {
      edges { node { name region country status purpose powerCapacityMw hashrateEh gridConnected commissionedOn source { title url } } }
    } } }`);
    expect(data.company.sites.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      {
        name: 'Alpha Ridge',
        region: 'North America',
        country: 'US',
        status: 'OPERATING',
        purpose: 'BITCOIN_MINING',
        powerCapacityMw: '100.5',
        hashrateEh: '3.25',
        gridConnected: true,
        commissionedOn: '2024-05-01',
        source: { title: 'Test site survey', url: 'https://example.test/survey' },
      },
      {
        name: 'Bravo Flats',
        region: 'North America',
        country: 'CA',
        status: 'IDLE',
        purpose: 'BITCOIN_MINING',
        powerCapacityMw: '40',
        hashrateEh: null,
        gridConnected: false,
        commissionedOn: null,
        source: null,
      },
      {
        name: 'Charlie Dunes',
        region: 'Middle East',
        country: 'OM',
        status: 'OPERATING',
        purpose: 'AI_COMPUTE',
        powerCapacityMw: '60.25',
        hashrateEh: null,
        gridConnected: true,
        commissionedOn: '2025-01-15',
        source: null,
      },
      {
        name: 'Delta Plains',
        region: 'East Africa',
        country: 'ET',
        status: 'UNDER_CONSTRUCTION',
        purpose: 'MIXED',
        powerCapacityMw: null,
        hashrateEh: '0.75',
        gridConnected: null,
        commissionedOn: null,
        source: null,
      },
      {
        name: 'Echo Hills',
        region: 'Middle East',
        country: null,
        status: 'PLANNED',
        purpose: 'BITCOIN_MINING',
        powerCapacityMw: null,
        hashrateEh: null,
        gridConnected: null,
        commissionedOn: null,
        source: null,
      },
    ]);
  });

  it('filter by any of several regions', async () => {
    expect(await siteNames('(filter: { regions: ["Middle East", "East Africa"] })')).toEqual({
      totalCount: 3,
      names: ['Charlie Dunes', 'Delta Plains', 'Echo Hills'],
    });
  });

  it('filter by status', async () => {
    expect(await siteNames('(filter: { status: OPERATING })')).toEqual({ totalCount: 2, names: ['Alpha Ridge', 'Charlie Dunes'] });
  });

  it('filter by purpose', async () => {
    expect(await siteNames('(filter: { purpose: BITCOIN_MINING })')).toEqual({
      totalCount: 3,
      names: ['Alpha Ridge', 'Bravo Flats', 'Echo Hills'],
    });
  });

  it('filters combine: every condition must hold', async () => {
    expect(await siteNames('(filter: { regions: ["North America"], status: IDLE, purpose: BITCOIN_MINING })')).toEqual({
      totalCount: 1,
      names: ['Bravo Flats'],
    });
    expect(await siteNames('(filter: { regions: ["East Africa"], status: OPERATING })')).toEqual({ totalCount: 0, names: [] });
  });

  it('region names match exactly as recorded', async () => {
    expect(await siteNames('(filter: { regions: ["north america"] })')).toEqual({ totalCount: 0, names: [] });
  });

  it("of two companies asked in one request stay each company's own", async () => {
    const data = await ask(`{
      tsts: company(ticker: "TSTS") { sites(first: 1) { totalCount edges { node { name powerCapacityMw company { ticker } } } } }
      tsto: company(ticker: "TSTO") { sites(first: 1) { totalCount edges { node { name powerCapacityMw company { ticker } } } } }
      cang: company(ticker: "CANG") { sites(first: 1) { totalCount edges { node { name } } } }
    }`);
    expect(data).toEqual({
      tsts: { sites: { totalCount: 5, edges: [{ node: { name: 'Alpha Ridge', powerCapacityMw: '100.5', company: { ticker: 'TSTS' } } }] } },
      tsto: { sites: { totalCount: 1, edges: [{ node: { name: 'Alpha Ridge', powerCapacityMw: '7', company: { ticker: 'TSTO' } } }] } },
      cang: { sites: { totalCount: 0, edges: [] } },
    });
  });
});

describe('paging through sites', () => {
  const page = async (args: string) => {
    const data = await ask(`{ company(ticker: "TSTS") { sites(${args}) {
      totalCount edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    } } }`);
    return data.company.sites;
  };

  it('first and after walk the sites by name, each exactly once', async () => {
    const one = await page('first: 2');
    expect(one.edges.map((edge: any) => edge.node.name)).toEqual(['Alpha Ridge', 'Bravo Flats']);
    expect(one.totalCount).toBe(5);
    expect(one.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: one.edges[0].cursor,
      endCursor: one.edges[1].cursor,
    });

    const two = await page(`first: 2, after: "${one.pageInfo.endCursor}"`);
    expect(two.edges.map((edge: any) => edge.node.name)).toEqual(['Charlie Dunes', 'Delta Plains']);
    expect(two.totalCount).toBe(5);
    expect(two.pageInfo.hasNextPage).toBe(true);
    expect(two.pageInfo.hasPreviousPage).toBe(true);

    const three = await page(`first: 2, after: "${two.pageInfo.endCursor}"`);
    expect(three.edges.map((edge: any) => edge.node.name)).toEqual(['Echo Hills']);
    expect(three.pageInfo.hasNextPage).toBe(false);
    expect(three.pageInfo.endCursor).toBe(three.edges[0].cursor);
  });

  it('a page that ends exactly at the last site says there is no next page', async () => {
    const one = await page('first: 3');
    const two = await page(`first: 2, after: "${one.pageInfo.endCursor}"`);
    expect(two.edges.map((edge: any) => edge.node.name)).toEqual(['Delta Plains', 'Echo Hills']);
    expect(two.pageInfo.hasNextPage).toBe(false);
  });

  it('paging keeps to the filter', async () => {
    const one = await page('first: 2, filter: { purpose: BITCOIN_MINING }');
    expect(one.edges.map((edge: any) => edge.node.name)).toEqual(['Alpha Ridge', 'Bravo Flats']);
    expect([one.totalCount, one.pageInfo.hasNextPage]).toEqual([3, true]);
    const two = await page(`first: 2, after: "${one.pageInfo.endCursor}", filter: { purpose: BITCOIN_MINING }`);
    expect(two.edges.map((edge: any) => edge.node.name)).toEqual(['Echo Hills']);
    expect([two.totalCount, two.pageInfo.hasNextPage]).toEqual([3, false]);
  });

  it('first: 0 returns no sites but still counts them', async () => {
    const zero = await page('first: 0');
    expect(zero.edges).toEqual([]);
    expect(zero.totalCount).toBe(5);
    expect(zero.pageInfo.hasNextPage).toBe(true);
  });

  it('first above 100 is refused as BAD_USER_INPUT', async () => {
    const { errors } = await served.server.graphql('{ company(ticker: "TSTS") { sites(first: 101) { totalCount } } }');
    expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: ['first'] } })]);
  });

  it('a cursor that is not a sites cursor is refused as BAD_USER_INPUT', async () => {
    const { errors } = await served.server.graphql('{ company(ticker: "TSTS") { sites(after: "bm90LWEtY3Vyc29y") { totalCount } } }');
    expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: ['after'] } })]);
  });

  it('a sites cursor edited by hand is refused as BAD_USER_INPUT, not as an internal error or an empty page', async () => {
    const forged = [
      ['sites', 'Alpha Ridge', 'abc'],
      ['sites', 'Alpha Ridge', '99999999999999999999'],
      ['sites', 'Alpha Ridge'],
    ];
    for (const parts of forged) {
      const cursor = Buffer.from(JSON.stringify(parts)).toString('base64url');
      const { data, errors } = await served.server.graphql(`{ company(ticker: "TSTS") { sites(after: "${cursor}") { totalCount } } }`);
      expect(data).toEqual({ company: null });
      expect(errors).toEqual([
        expect.objectContaining({
          message: '"after" is not a cursor of sites; pass an endCursor this connection returned.',
          extensions: { code: 'BAD_USER_INPUT', field: ['after'] },
        }),
      ]);
    }
  });
});

describe('the site summary', () => {
  it('sums sites, power and hashrate by region, counting unknown figures as 0', async () => {
    const data = await ask(`{ company(ticker: "TSTS") { siteSummary {
      siteCount reportedSiteCount reportedRegions
      regions { region siteCount powerCapacityMw hashrateEh }
      totalPowerCapacityMw totalHashrateEh
    } } }`);
    expect(data.company.siteSummary).toEqual({
      siteCount: 5,
      reportedSiteCount: null,
      reportedRegions: [],
      regions: [
        { region: 'East Africa', siteCount: 1, powerCapacityMw: '0', hashrateEh: '0.75' },
        { region: 'Middle East', siteCount: 2, powerCapacityMw: '60.25', hashrateEh: '0' },
        // 100.50 + 40, printed canonically.
        { region: 'North America', siteCount: 2, powerCapacityMw: '140.5', hashrateEh: '3.25' },
      ],
      totalPowerCapacityMw: '200.75',
      totalHashrateEh: '4',
    });
  });

  it("keeps Cango's own count and regions when none of its sites is recorded individually", async () => {
    const data = await ask(`{ company(ticker: "CANG") { siteSummary {
      siteCount reportedSiteCount reportedRegions regions { region } totalPowerCapacityMw totalHashrateEh
    } } }`);
    expect(data.company.siteSummary).toEqual({
      siteCount: 0,
      reportedSiteCount: 40,
      reportedRegions: ['North America', 'Middle East', 'South America', 'East Africa'],
      regions: [],
      totalPowerCapacityMw: '0',
      totalHashrateEh: '0',
    });
  });
});

describe('a site as a node', () => {
  it('node(id) returns the site, and its company', async () => {
    const listed = await ask(
      '{ company(ticker: "TSTS") { sites(first: 1, filter: { regions: ["East Africa"] }) { edges { node { id } } } } }',
    );
    const id = listed.company.sites.edges[0].node.id;
    const data = await ask(
      `query ($id: ID!) { node(id: $id) { __typename id ... on Site { name region hashrateEh company { name ticker } } } }`,
      { id },
    );
    expect(data.node).toEqual({
      __typename: 'Site',
      id,
      name: 'Delta Plains',
      region: 'East Africa',
      hashrateEh: '0.75',
      company: { name: 'Test Sites Co', ticker: 'TSTS' },
    });
  });
});
