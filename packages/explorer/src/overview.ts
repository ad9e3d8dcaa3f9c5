// The miners at a glance: every company ranked by the latest BTC it reported holding, each
// number linked to the page that states it.
import { minersOverview, type MinersOverviewQuery } from '@minergraph/sdk/operations';
import { client } from './api.js';
import { sparkline } from './charts.js';
import { h } from './dom.js';
import { cited, exact, percent, periodLabel, shortPeriod } from './format.js';
import type { Topic } from './live.js';

type Company = MinersOverviewQuery['companies']['edges'][number]['node'];

interface Row {
  company: Company;
  rank: number;
  /** Sort keys per column; null sorts last. */
  keys: Record<string, number | string | null>;
}

interface Column {
  key: string;
  label: string;
  numeric: boolean;
  cell(row: Row): Node;
}

function minedCell(company: Company): Node {
  const report = company.productionReports.edges[0]?.node;
  if (!report) return h('span', { class: 'none' }, 'none reported');
  const citation = report.citations.find((entry) => entry.field === 'minedBtc')?.source ?? report.source;
  return h(
    'span',
    {},
    cited(exact(report.minedBtc), citation, { testid: `mined-${company.ticker}` }),
    h(
      'span',
      { class: 'sub', title: periodLabel(report.period, report.periodStart, report.periodEnd) },
      shortPeriod(report.period, report.periodStart, report.periodEnd),
    ),
  );
}

function pledgedCell(company: Company): Node {
  const pledging = company.loans.filter((loan) => loan.collateralBtcReported !== null);
  // pledgedBtcComplete is false when an active BTC-backed loan's collateral was never disclosed.
  const undisclosed = !company.holdings.pledgedBtcComplete;
  const total = company.holdings.pledgedBtc;
  const parts: (Node | string)[] = [];
  if (pledging.length === 1) parts.push(cited(exact(total), pledging[0]!.source, { testid: `pledged-${company.ticker}` }));
  else if (pledging.length > 1) {
    parts.push(h('span', { 'data-testid': `pledged-${company.ticker}` }, exact(total)), ' = ');
    pledging.forEach((loan, index) => {
      if (index > 0) parts.push(' + ');
      parts.push(cited(exact(loan.collateralBtcReported!), loan.source));
    });
  } else if (!undisclosed) parts.push(h('span', { class: 'none', 'data-testid': `pledged-${company.ticker}` }, 'none recorded'));
  if (undisclosed) {
    const loan = company.loans.find((entry) => entry.kind === 'BTC_BACKED_LOAN' && !entry.collateralDisclosed);
    parts.push(
      parts.length > 0 ? ' + ' : '',
      cited('undisclosed', loan?.source, {
        testid: pledging.length === 0 ? `pledged-${company.ticker}` : undefined,
        note: 'A BTC-backed loan whose collateral was never disclosed.',
      }),
    );
  }
  return h('span', {}, ...parts);
}

function ltvCell(company: Company): Node {
  const withLtv = company.loans.filter((loan) => loan.ltv !== null);
  const undisclosed = company.loans.filter((loan) => loan.kind === 'BTC_BACKED_LOAN' && !loan.collateralDisclosed);
  if (withLtv.length === 0 && undisclosed.length === 0)
    return h('span', { class: 'none' }, company.loans.length === 0 ? 'no debt recorded' : 'not BTC-backed');
  const parts: (Node | string)[] = [];
  for (const loan of withLtv) {
    if (parts.length > 0) parts.push(', ');
    parts.push(
      cited(percent(loan.ltv!), loan.source, {
        note: `LTV = outstanding / (collateral × the BTC close observed ${loan.btcPriceAt?.slice(0, 10) ?? 'never'}); the source states the loan's terms.`,
      }),
    );
  }
  for (const loan of undisclosed) {
    if (parts.length > 0) parts.push(', ');
    parts.push(cited('n/a (collateral undisclosed)', loan.source));
  }
  return h('span', { 'data-testid': `ltv-${company.ticker}` }, ...parts);
}

/** The company's words on what its figure includes; a long one opens on demand (details). */
function basisCell(basis: string | null): Node {
  if (basis === null) return h('span', { class: 'none' }, 'not stated by the company');
  if (basis.length <= 70) return h('span', { class: 'basis' }, basis);
  return h('details', { class: 'basis' }, h('summary', {}, `${basis.slice(0, 60).replace(/\s+\S*$/, '')}…`), h('p', {}, basis));
}

const COLUMNS: Column[] = [
  { key: 'rank', label: 'Rank', numeric: true, cell: (row) => document.createTextNode(String(row.rank)) },
  {
    key: 'name',
    label: 'Company',
    numeric: false,
    cell: ({ company }) => h('a', { href: `#/company/${company.ticker}` }, company.name, h('span', { class: 'sub' }, company.ticker)),
  },
  {
    key: 'btc',
    label: 'BTC held (latest report)',
    numeric: true,
    cell: ({ company }) =>
      company.latestHoldingsReport
        ? cited(exact(company.latestHoldingsReport.btc), company.latestHoldingsReport.source, { testid: `held-${company.ticker}` })
        : h('span', { class: 'none' }, 'none reported'),
  },
  {
    key: 'asOf',
    label: 'As of',
    numeric: false,
    cell: ({ company }) =>
      company.latestHoldingsReport
        ? cited(company.latestHoldingsReport.on, company.latestHoldingsReport.source, { testid: `asof-${company.ticker}` })
        : h('span', { class: 'none' }, '—'),
  },
  {
    key: 'basis',
    label: 'What “held” includes',
    numeric: false,
    cell: ({ company }) => basisCell(company.latestHoldingsReport?.basis ?? null),
  },
  { key: 'mined', label: 'BTC mined, last reported period', numeric: true, cell: ({ company }) => minedCell(company) },
  { key: 'pledged', label: 'BTC pledged (active debt)', numeric: true, cell: ({ company }) => pledgedCell(company) },
  { key: 'ltv', label: 'Loan LTV', numeric: true, cell: ({ company }) => ltvCell(company) },
  {
    key: 'trend',
    label: 'Reported holdings',
    numeric: false,
    cell: ({ company }) => {
      const reports = company.holdingsReports;
      const label =
        reports.length === 0
          ? 'no reported holdings'
          : `${reports.length} reported figures: ${reports.map((report) => `${exact(report.btc)} BTC on ${report.on}`).join('; ')}`;
      return sparkline(
        reports.map((report) => Number(report.btc)),
        label,
      );
    },
  },
];

function rowOf(company: Company, index: number): Row {
  const report = company.productionReports.edges[0]?.node;
  const ltvs = company.loans.map((loan) => loan.ltv).filter((ltv): ltv is number => ltv !== null);
  return {
    company,
    rank: index + 1,
    keys: {
      rank: index + 1,
      name: company.name.toLowerCase(),
      btc: company.latestHoldingsReport ? Number(company.latestHoldingsReport.btc) : null,
      asOf: company.latestHoldingsReport?.on ?? null,
      basis: company.latestHoldingsReport?.basis?.toLowerCase() ?? null,
      mined: report ? Number(report.minedBtc) : null,
      pledged: Number(company.holdings.pledgedBtc),
      ltv: ltvs.length > 0 ? Math.max(...ltvs) : null,
      trend: company.holdingsReports.length,
    },
  };
}

function compare(key: string, direction: 1 | -1) {
  return (a: Row, b: Row) => {
    const [x, y] = [a.keys[key] ?? null, b.keys[key] ?? null];
    if (x === y) return a.rank - b.rank;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * direction;
  };
}

/** The order the table is shown in: kept when the table is read again (a live update). */
let sort: { key: string; direction: 1 | -1 } = { key: 'rank', direction: 1 };

/**
 * Renders the overview into `main`; resolves once the table is on the page, to what changes it:
 * each company shown, the BTC price (the LTVs), and a bulk change of the facts. Aborting `signal`
 * (the page went on to another read) rejects it before it writes anything.
 */
export async function renderOverview(main: HTMLElement, signal?: AbortSignal): Promise<Topic[]> {
  const data = await minersOverview(client, { first: 50 }, { signal });
  const rows = data.companies.edges.map((edge, index) => rowOf(edge.node, index));

  const body = h('tbody');
  const headers = COLUMNS.map((column) => {
    const button = h(
      'button',
      { type: 'button', class: 'sort', 'data-sort': column.key },
      column.label,
      h('span', { class: 'arrow', 'aria-hidden': 'true' }),
    );
    const header = h(
      'th',
      { scope: 'col', class: column.numeric ? 'num' : '', 'aria-sort': column.key === 'rank' ? 'ascending' : 'none' },
      button,
    );
    button.addEventListener('click', () => {
      sort = {
        key: column.key,
        direction: sort.key === column.key ? (sort.direction === 1 ? -1 : 1) : column.numeric && column.key !== 'rank' ? -1 : 1,
      };
      fill();
    });
    return header;
  });

  function fill() {
    const sorted = [...rows].sort(compare(sort.key, sort.direction));
    body.replaceChildren(
      ...sorted.map((row) =>
        h(
          'tr',
          { 'data-ticker': row.company.ticker },
          ...COLUMNS.map((column) =>
            column.key === 'name'
              ? h('th', { scope: 'row' }, column.cell(row))
              : h('td', { class: column.numeric ? 'num' : '', 'data-column': column.key }, column.cell(row)),
          ),
        ),
      ),
    );
    headers.forEach((header, index) => {
      const column = COLUMNS[index]!;
      const active = column.key === sort.key;
      header.setAttribute('aria-sort', active ? (sort.direction === 1 ? 'ascending' : 'descending') : 'none');
      header.querySelector('.arrow')!.textContent = active ? (sort.direction === 1 ? ' ▲' : ' ▼') : '';
    });
  }
  fill();

  main.replaceChildren(
    h('h1', { tabindex: -1 }, 'Listed miners by BTC held'),
    h(
      'p',
      { class: 'lede' },
      `${data.companies.totalCount} companies, ranked by the latest holdings figure each reported. Figures are of different days and count different things: read “As of” and “What held includes” before comparing. Every number links to the page that states it; hover or focus it for the sentence.`,
    ),
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Miners table (scrolls sideways on small screens)' },
      h(
        'table',
        { class: 'overview' },
        h('caption', { class: 'sr-only' }, 'Listed miners; the column buttons sort the table.'),
        h('thead', {}, h('tr', {}, ...headers)),
        body,
      ),
    ),
  );
  return [
    { kind: 'facts' },
    { kind: 'prices', symbol: 'BTC' },
    ...data.companies.edges.map((edge): Topic => ({ kind: 'company', ticker: edge.node.ticker })),
  ];
}
