import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkFactFiles, checkPriceFiles, quoteStates } from '../src/facts/check.js';
import { loadCompanyFiles, loadPriceFiles } from '../src/facts/fact-file.js';
import { runCli } from './support/process.js';

describe('a quote states a number', () => {
  it.each([
    ['held 7,474.6 BTC', '7474.6', true],
    ['held 7474.6 BTC', '7474.6', true],
    ['held 7,474.60 BTC', '7474.6', true],
    ['for about $305 million', '305000000', true],
    ['sold 15,133 BTC (~$1.1B)', '1100000000', true],
    ['debt of $1,822,519 thousand', '1822519000', true],
    ['a 5.00% annual interest rate', '5', true],
    ['held 12,345 BTC', '345', false],
    ['held 12,345 BTC', '12344', false],
    ['mined 3,313.4 and held 454.83', '454.83', true],
    ['in 2025 it held 53,822', '2026', false],
  ])('"%s" states %s: %s', (quote, value, expected) => {
    expect(quoteStates(quote, value)).toBe(expected);
  });
});

const GOOD = {
  ticker: 'TEST',
  name: 'Test Mining Corp.',
  exchange: 'NASDAQ',
  businessLines: ['BITCOIN_MINING'],
  citation: { source: 'release', quote: 'Test Mining Corp. (NASDAQ: TEST) today announced', asOf: '2026-01-05' },
  sources: {
    release: {
      title: 'Test Mining December 2025 update',
      url: 'https://example.com/release',
      publisher: 'Test Mining Corp.',
      publishedOn: '2026-01-05',
      kind: 'COMPANY_RELEASE',
    },
  },
  holdings: [
    {
      on: '2025-12-31',
      btc: '1234.5',
      basis: null,
      citation: { source: 'release', quote: 'held 1,234.5 BTC as of December 31', asOf: '2025-12-31' },
    },
  ],
  production: [
    {
      periodStart: '2025-12-01',
      periodEnd: '2025-12-31',
      period: 'MONTH',
      minedBtc: '56.7',
      soldBtc: null,
      soldUsd: null,
      heldBtc: null,
      operatingEhs: null,
      deployedEhs: null,
      citations: { minedBtc: { source: 'release', quote: 'mined 56.7 BTC in December', asOf: '2025-12-31' } },
    },
  ],
  debt: [],
  officers: [{ name: 'Ada Miner', role: 'CEO', citation: { source: 'release', quote: 'said Ada Miner, CEO', asOf: '2026-01-05' } }],
  sites: [],
  notes: [],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-facts-'));
  mkdirSync(join(dir, 'companies'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: unknown) =>
  writeFileSync(join(dir, 'companies', name), typeof content === 'string' ? content : stringify(content));
const problems = () => checkFactFiles(loadCompanyFiles(dir));

describe("the repository's fact files", () => {
  it('pass facts check: every number is stated by its quote, every source exists, nothing twice', () => {
    const repositoryData = fileURLToPath(new URL('../../../data', import.meta.url));
    const files = loadCompanyFiles(repositoryData);
    expect(files.length).toBeGreaterThan(0);
    expect(checkFactFiles(files)).toEqual([]);
    expect(checkPriceFiles(loadPriceFiles(repositoryData))).toEqual([]);
  });
});

describe('facts check of price files', () => {
  const price = {
    on: '2025-10-06',
    usd: '126080',
    kind: 'ALL_TIME_HIGH',
    citation: { source: 'page', quote: 'its peak of $126,080 reached in October', asOf: '2025-10-06' },
  };
  const GOOD_PRICES = {
    symbol: 'BTC',
    sources: {
      page: { title: null, url: 'https://example.com/btc', publisher: 'Example News', publishedOn: null, kind: 'NEWS' },
      spare: { title: null, url: 'https://example.com/other', publisher: 'Other', publishedOn: null, kind: 'NEWS' },
    },
    prices: [price],
  };
  const writePrices = (name: string, content: unknown) => {
    mkdirSync(join(dir, 'prices'), { recursive: true });
    writeFileSync(join(dir, 'prices', name), stringify(content));
  };

  it('has nothing to check without a prices directory', () => {
    expect(loadPriceFiles(dir)).toEqual([]);
  });

  it('passes a price whose quote states it, and refuses a wrong number, a missing source, a day and kind twice, a misnamed file, an unused source', () => {
    writePrices('BTC.yaml', { ...GOOD_PRICES, sources: { page: GOOD_PRICES.sources.page } });
    expect(checkPriceFiles(loadPriceFiles(dir))).toEqual([]);
    writePrices('BTC.yaml', GOOD_PRICES);
    writePrices('ETH.yaml', {
      ...GOOD_PRICES,
      prices: [
        { ...price, usd: '126000' },
        { ...price, citation: { ...price.citation, source: 'nowhere' } },
      ],
    });
    expect(checkPriceFiles(loadPriceFiles(dir))).toEqual([
      'BTC.yaml: sources.spare: is cited by no price',
      'ETH.yaml: symbol: BTC belongs in BTC.yaml',
      'ETH.yaml: prices[0]: the quote does not state 126000: "its peak of $126,080 reached in October"',
      'ETH.yaml: prices[1]: the source "nowhere" is not in sources',
      'ETH.yaml: prices[1]: a ALL_TIME_HIGH price for 2025-10-06 is at prices[0] already',
      'ETH.yaml: sources.spare: is cited by no price',
    ]);
  });
});

describe('facts check', () => {
  it('passes a file whose every fact is cited by a quote that states it', () => {
    write('TEST.yaml', GOOD);
    expect(problems()).toEqual([]);
  });

  it('refuses a quote that does not contain its number, naming the fact', () => {
    write('TEST.yaml', { ...GOOD, holdings: [{ ...GOOD.holdings[0], btc: '1234.6' }] });
    expect(problems()).toEqual(['TEST.yaml: holdings[0]: the quote does not state 1234.6: "held 1,234.5 BTC as of December 31"']);
  });

  it('refuses a fact without a source, and a number without a citation', () => {
    write('TEST.yaml', {
      ...GOOD,
      officers: [{ ...GOOD.officers[0], citation: { ...GOOD.officers[0]!.citation, source: 'nowhere' } }],
      production: [{ ...GOOD.production[0], soldBtc: '10' }],
    });
    expect(problems()).toEqual([
      'TEST.yaml: production[0].soldBtc: has no citation',
      'TEST.yaml: officers[0]: the source "nowhere" is not in sources',
    ]);
  });

  it('refuses duplicates: two figures for one day and basis, two reports for one period, one ticker in two files', () => {
    write('TEST.yaml', { ...GOOD, holdings: [GOOD.holdings[0], GOOD.holdings[0]], production: [GOOD.production[0], GOOD.production[0]] });
    write('OTHER.yaml', GOOD);
    expect(problems()).toEqual([
      'OTHER.yaml: ticker: TEST belongs in TEST.yaml',
      'TEST.yaml: ticker: TEST is in OTHER.yaml already',
      'TEST.yaml: holdings[1]: a holdings figure for 2025-12-31 with the same basis is at holdings[0] already',
      'TEST.yaml: production[1]: a report for 2025-12-01 to 2025-12-31 is at production[0] already',
    ]);
  });

  it('checks the optional sections: transactions, repayments, corporate actions, site count, regions, previous employer', () => {
    const sale = { source: 'release', quote: 'sold 4,451 BTC over the weekend for about $305 million', asOf: '2026-02-08' };
    const extended = {
      ...GOOD,
      reportedSiteCount: {
        count: '40',
        citation: { source: 'release', quote: 'operates over 40 sites in North America and East Africa', asOf: '2026-01-05' },
      },
      reportedRegions: {
        regions: ['North America', 'East Africa'],
        citation: { source: 'release', quote: 'operates over 40 sites in North America and East Africa', asOf: '2026-01-05' },
      },
      officers: [
        {
          ...GOOD.officers[0],
          since: '2026-02',
          previousEmployer: 'Zoom',
          citation: { source: 'release', quote: 'Ada Miner, formerly of Zoom, as CEO', asOf: '2026-02-09' },
        },
      ],
      transactions: [
        {
          key: 'sale',
          on: '2026-02-08',
          kind: 'SALE',
          btc: '4451',
          usd: '305000000',
          description: 'treasury sale',
          citations: { btc: sale, usd: sale },
        },
      ],
      debt: [
        {
          kind: 'BTC_BACKED_LOAN',
          lender: null,
          principalUsd: null,
          pledgedBtc: null,
          interestRatePercent: null,
          maturesOn: null,
          asOf: '2026-02-08',
          description: 'a bitcoin-collateralized loan',
          citations: {},
          repayments: [{ paidOn: '2026-02-08', usd: '305000000', fundedBy: 'sale', citation: sale }],
        },
      ],
      corporateActions: [
        {
          effectiveOn: '2025-11-17',
          kind: 'ADS_TO_SHARES',
          ratio: '2',
          description: 'ADS to shares',
          citation: { source: 'release', quote: 'each ADS became 2 Class A shares', asOf: '2025-11-17' },
        },
      ],
    };
    write('TEST.yaml', extended);
    expect(problems()).toEqual([]);
    write('TEST.yaml', {
      ...extended,
      reportedSiteCount: { ...extended.reportedSiteCount, count: '41' },
      reportedRegions: { ...extended.reportedRegions, regions: ['North America', 'Middle East'] },
      officers: [{ ...extended.officers[0], previousEmployer: 'Google' }],
      transactions: [{ ...extended.transactions[0], usd: '306000000' }, extended.transactions[0]],
      debt: [{ ...extended.debt[0], repayments: [{ ...extended.debt[0]!.repayments[0], fundedBy: 'nothing' }] }],
      corporateActions: [{ ...extended.corporateActions[0], ratio: '3' }],
    });
    expect(problems()).toEqual([
      'TEST.yaml: reportedSiteCount: the quote does not state 41: "operates over 40 sites in North America and East Africa"',
      'TEST.yaml: reportedRegions: the quote does not name Middle East',
      'TEST.yaml: debt[0].repayments[0].fundedBy: names no transaction "nothing"',
      'TEST.yaml: transactions[0].usd: the quote does not state 306000000: "sold 4,451 BTC over the weekend for about $305 million"',
      'TEST.yaml: transactions[1]: the transaction key sale is at transactions[0] already',
      'TEST.yaml: corporateActions[0]: the quote does not state 3: "each ADS became 2 Class A shares"',
      'TEST.yaml: officers[0].previousEmployer: the quote does not name Google',
    ]);
  });

  it('names the field of a file of the wrong shape, and a file that is not YAML', () => {
    write('TEST.yaml', { ...GOOD, holdings: [{ ...GOOD.holdings[0], btc: '1,234.5' }] });
    write('BAD.yaml', 'ticker: [unclosed');
    const found = problems();
    expect(found[0]).toMatch(/^BAD\.yaml: not valid YAML: /);
    expect(found.slice(1)).toEqual(['TEST.yaml: holdings.0.btc: must be a plain decimal string such as "52850" or "3313.4"']);
  });

  it('runs from the command line: exit 0 with a count, exit 2 listing the problems', async () => {
    write('TEST.yaml', GOOD);
    const passed = runCli(['facts', 'check', '--data', dir], {});
    expect([await passed.exited, passed.stdout()]).toEqual([
      0,
      '1 companies: 1 holdings figures, 1 production reports, 0 debts, 1 officers, 0 sites; every quote states its number.\n',
    ]);
    write('TEST.yaml', { ...GOOD, holdings: [{ ...GOOD.holdings[0], btc: '99' }] });
    const failed = runCli(['facts', 'check', '--data', dir], {});
    expect([await failed.exited, failed.stderr()]).toEqual([
      2,
      `TEST.yaml: holdings[0]: the quote does not state 99: "held 1,234.5 BTC as of December 31"\n1 problem in the fact files of ${dir} (listed above).\n`,
    ]);
  });
});
