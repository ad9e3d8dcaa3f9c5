// One company: holdings over time (reported figures as points, recorded flows as steps, what the
// flows leave unexplained between two reports marked), production per reported period, debts
// against the BTC price, the share price with its corporate actions, officers and sites.
import { companyHistory, priceCandles, type CompanyHistoryQuery, type PriceCandlesQuery } from '@minergraph/sdk/operations';
import type uPlot from 'uplot';
import { client } from './api.js';
import { DAYS, FROM_ZERO, figure, labelAt, ruleAt, seconds, squareAt, timeChart, type SeriesSpec } from './charts.js';
import { h } from './dom.js';
import { cited, exact, percent, periodLabel, signed, sourceLine, usd } from './format.js';
import type { Topic } from './live.js';

type Company = NonNullable<CompanyHistoryQuery['company']>;
type Candle = NonNullable<PriceCandlesQuery['btc']>['candles'][number];

/** The window of prices drawn: from 2025 to now, one candle a day. */
const PRICES_FROM = '2025-01-01T00:00:00Z';

function table(caption: string, head: string[], rows: Node[][], attributes: Record<string, string> = {}): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      attributes,
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...head.map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
    ),
  );
}

const text = (value: string) => document.createTextNode(value);

function holdingsSection(company: Company): HTMLElement {
  const reports = company.holdingsReports;
  const flows = company.treasuryTransactions.edges.map((edge) => edge.node);
  const between = company.treasuryFlowsBetweenReports;

  // The balance as the API computes it after each flow and at each report, drawn as steps.
  const balance = new Map<string, number>();
  for (const flow of flows) balance.set(flow.occurredOn, Number(flow.balanceAfterBtc));
  for (const report of reports) balance.set(report.on, Number(report.btc));
  const reportedOn = new Map(reports.map((report) => [report.on, Number(report.btc)]));
  // Where the recorded flows alone would have left the balance on a report's day.
  const expected = new Map(
    between
      .filter((flow) => Number(flow.unexplainedBtc) !== 0)
      .map((flow) => [flow.to, Number(flow.closingBtc) - Number(flow.unexplainedBtc)]),
  );
  const days = [...new Set([...balance.keys(), ...expected.keys()])].sort();
  const x = days.map(seconds);
  const series: SeriesSpec[] = [
    { label: 'Balance: reports plus recorded flows (steps)', values: days.map((d) => balance.get(d) ?? null), style: 'steps' },
    { label: 'Reported figure (hollow circle)', values: days.map((d) => reportedOn.get(d) ?? null), style: 'points' },
    {
      label: 'Where the flows alone lead (filled square)',
      values: days.map((d) => expected.get(d) ?? null),
      style: 'points',
      stroke: '#8a3b00',
    },
  ];

  const chart = figure(
    'BTC held over time',
    `BTC held by ${company.name}: ${reports.map((report) => `${exact(report.btc)} reported on ${report.on}`).join('; ')}. Unexplained changes: ${
      between
        .filter((flow) => Number(flow.unexplainedBtc) !== 0)
        .map((flow) => `${signed(flow.unexplainedBtc)} BTC between ${flow.from} and ${flow.to}`)
        .join('; ') || 'none'
    }.`,
  );
  // Each mark is a filled square, labelled above it or else below; a label that would overlap
  // another on both sides is left to the table below the chart.
  const draw = (u: uPlot) => {
    const taken: [number, number, number][] = [];
    for (const flow of between) {
      if (Number(flow.unexplainedBtc) === 0) continue;
      const [day, btc] = [seconds(flow.to), Number(flow.closingBtc) - Number(flow.unexplainedBtc)];
      squareAt(u, day, btc, '#8a3b00');
      const label = `${signed(flow.unexplainedBtc)} BTC unexplained`;
      if (!labelAt(u, day, btc, label, { taken })) labelAt(u, day, btc, label, { above: false, taken });
    }
  };
  queueMicrotask(() => timeChart(chart.plot, { x, series, yLabel: 'BTC', draw, yRange: FROM_ZERO, xPad: DAYS(10) }));

  const reportRows = reports.map((report) => [
    text(report.on),
    cited(exact(report.btc), report.source),
    text(report.basis ?? 'not stated'),
    sourceLine(report.source),
  ]);
  const betweenRows = between.map((flow) => {
    const unexplained = Number(flow.unexplainedBtc) !== 0;
    return [
      text(`${flow.from} to ${flow.to}`),
      text(exact(flow.openingBtc)),
      text(signed(flow.minedBtc)),
      text(signed(flow.purchasedBtc)),
      text(flow.soldBtc === '0' ? '0' : `−${exact(flow.soldBtc)}`),
      text(signed(flow.otherBtc)),
      text(exact(flow.closingBtc)),
      h(
        'span',
        { class: unexplained ? 'unexplained' : 'explained', 'data-testid': `unexplained-${flow.to}` },
        unexplained ? `⚠ ${signed(flow.unexplainedBtc)} BTC unexplained` : '0 (explained)',
      ),
    ];
  });
  const flowRows = flows.map((flow) => [
    text(flow.occurredOn),
    text(flow.kind.toLowerCase()),
    h(
      'span',
      { 'data-testid': `flow-${flow.kind}-${flow.occurredOn}` },
      cited(`${flow.kind === 'SOLD' ? '−' : ''}${exact(flow.btc)} BTC`, flow.source),
    ),
    flow.usd ? cited(usd(flow.usd), flow.source) : text('—'),
    text(exact(flow.balanceAfterBtc)),
    text(flow.note ?? ''),
  ]);
  return h(
    'section',
    { 'aria-labelledby': 'holdings-title' },
    h('h2', { id: 'holdings-title' }, 'Holdings'),
    chart.element,
    table('Reported holdings figures', ['Day', 'BTC', 'What “held” includes', 'Source'], reportRows),
    table(
      'Between two reports: what the recorded flows explain',
      ['Window', 'Opening', 'Mined', 'Bought', 'Sold', 'Other', 'Closing (reported)', 'Unexplained'],
      betweenRows,
      {
        'data-testid': 'between-reports',
      },
    ),
    table('Recorded flows (newest first)', ['Day', 'Kind', 'BTC', 'USD', 'Balance after', 'Note'], flowRows, { 'data-testid': 'flows' }),
  );
}

function productionSection(company: Company): HTMLElement {
  const reports = [...company.productionReports.edges.map((edge) => edge.node)].reverse();
  const citation = (report: (typeof reports)[number], field: string) =>
    report.citations.find((entry) => entry.field === field)?.source ?? report.source;
  const days = [...new Set(reports.map((report) => report.periodEnd))].sort();
  const byKind = (kind: string) =>
    days.map((d) => {
      const report = reports.find((entry) => entry.periodEnd === d && (entry.period ?? 'MONTH') === kind);
      return report ? Number(report.minedBtc) : null;
    });
  const chart = figure(
    'BTC mined per reported period',
    `BTC mined by ${company.name}, per period as published: ${reports.map((report) => `${exact(report.minedBtc)} in the ${periodLabel(report.period, report.periodStart, report.periodEnd)}`).join('; ')}.`,
  );
  const series: SeriesSpec[] = [
    { label: 'Monthly report (solid bar)', values: byKind('MONTH'), style: 'bars' },
    { label: 'Quarterly report (hatched bar)', values: byKind('QUARTER'), style: 'bars', hatched: true, stroke: '#0b5cad' },
    { label: 'Yearly report (hatched bar)', values: byKind('YEAR'), style: 'bars', hatched: true, stroke: '#4d6b00' },
  ].filter((spec) => spec.values.some((value) => value !== null)) as SeriesSpec[];
  if (reports.length > 0)
    queueMicrotask(() => timeChart(chart.plot, { x: days.map(seconds), series, yLabel: 'BTC mined', yRange: FROM_ZERO, xPad: DAYS(20) }));
  const rows = [...reports]
    .reverse()
    .map((report) => [
      text(periodLabel(report.period, report.periodStart, report.periodEnd)),
      cited(exact(report.minedBtc), citation(report, 'minedBtc')),
      report.soldBtc ? cited(exact(report.soldBtc), citation(report, 'soldBtc')) : text('—'),
      report.heldBtc ? cited(exact(report.heldBtc), citation(report, 'heldBtc')) : text('—'),
      report.operatingHashrateEh ? cited(`${exact(report.operatingHashrateEh)} EH/s`, citation(report, 'operatingEhs')) : text('—'),
      report.deployedHashrateEh ? cited(`${exact(report.deployedHashrateEh)} EH/s`, citation(report, 'deployedEhs')) : text('—'),
    ]);
  return h(
    'section',
    { 'aria-labelledby': 'production-title' },
    h('h2', { id: 'production-title' }, 'Production'),
    reports.length > 0 ? chart.element : h('p', {}, 'No production report recorded.'),
    reports.length > 0
      ? table(
          'Production reports as published (a quarter is one report)',
          ['Period', 'Mined', 'Sold', 'Held', 'Operating', 'Deployed'],
          rows,
        )
      : null,
  );
}

function debtSection(company: Company, closes: Candle[]): HTMLElement {
  const loans = company.loans;
  const triggers = loans.flatMap((loan) => [
    ...(loan.marginCallPriceUsd
      ? [
          {
            label: `Margin call, ${loan.lender ?? 'lender undisclosed'} (${usd(loan.marginCallPriceUsd)}, dashed)`,
            value: Number(loan.marginCallPriceUsd),
            dash: [8, 4],
          },
        ]
      : []),
    ...(loan.liquidationPriceUsd
      ? [
          {
            label: `Liquidation, ${loan.lender ?? 'lender undisclosed'} (${usd(loan.liquidationPriceUsd)}, dotted)`,
            value: Number(loan.liquidationPriceUsd),
            dash: [2, 4],
          },
        ]
      : []),
  ]);
  const chart = figure(
    'Trigger prices against the BTC price',
    triggers.length > 0
      ? `BTC daily closes, with ${triggers.map((trigger) => trigger.label).join('; ')}.`
      : 'BTC daily closes; no debt of this company has disclosed trigger prices.',
    triggers.length === 0
      ? h(
          'p',
          { class: 'note' },
          'No margin-call or liquidation price can be drawn: no debt discloses its principal, its collateral and the LTV at which a margin call or liquidation comes.',
        )
      : null,
  );
  if (closes.length > 0) {
    const x = closes.map((candle) => seconds(candle.start));
    const series: SeriesSpec[] = [
      { label: 'BTC close (USD)', values: closes.map((candle) => Number(candle.close)), style: 'line' },
      ...triggers.map((trigger, index) => ({
        label: trigger.label,
        values: x.map(() => trigger.value),
        style: 'line' as const,
        dash: trigger.dash,
        stroke: index % 2 ? '#6b2f8a' : '#8a3b00',
      })),
    ];
    queueMicrotask(() => timeChart(chart.plot, { x, series, yLabel: 'USD' }));
  }
  const citationOf = (loan: Company['loans'][number], field: string) =>
    loan.citations.find((entry) => entry.field === field)?.source ?? loan.source;
  const items = loans.map((loan) =>
    h(
      'li',
      { class: 'loan' },
      h(
        'strong',
        {},
        `${loan.kind.toLowerCase().replace(/_/g, ' ')}${loan.lender ? ` from ${loan.lender}` : ''} (${loan.status.toLowerCase()})`,
      ),
      loan.description ? h('p', {}, cited(loan.description, citationOf(loan, 'description'))) : null,
      h(
        'dl',
        {},
        h('dt', {}, 'Principal'),
        h('dd', {}, loan.principalUsd ? cited(usd(loan.principalUsd), citationOf(loan, 'principalUsd')) : 'undisclosed'),
        h('dt', {}, 'Repaid'),
        h(
          'dd',
          {},
          ...(loan.repayments.length > 0
            ? loan.repayments.map((repayment) =>
                h('span', { class: 'repayment' }, cited(usd(repayment.amountUsd), repayment.source), ` on ${repayment.paidOn} `),
              )
            : ['nothing recorded']),
        ),
        h('dt', {}, 'Outstanding'),
        h('dd', {}, loan.outstandingUsd ? usd(loan.outstandingUsd) : 'unknown (principal undisclosed)'),
        h('dt', {}, 'Collateral'),
        h(
          'dd',
          {},
          loan.collateralBtcReported ? cited(`${exact(loan.collateralBtcReported)} BTC`, citationOf(loan, 'pledgedBtc')) : 'undisclosed',
        ),
        h('dt', {}, 'Interest'),
        h(
          'dd',
          {},
          loan.interestRatePercent !== null
            ? cited(`${loan.interestRatePercent} %`, citationOf(loan, 'interestRatePercent'))
            : 'undisclosed',
        ),
        h('dt', {}, 'Matures'),
        h('dd', {}, loan.maturesOn ? cited(loan.maturesOn, citationOf(loan, 'maturesOn')) : 'undisclosed'),
        h('dt', {}, 'LTV'),
        h(
          'dd',
          {},
          loan.ltv !== null
            ? `${percent(loan.ltv)} at the BTC close observed ${loan.btcPriceAt?.slice(0, 10) ?? '—'}`
            : 'not computable (principal or collateral undisclosed)',
        ),
        h('dt', {}, 'Margin call at'),
        h(
          'dd',
          {},
          loan.marginCallPriceUsd ? `${usd(loan.marginCallPriceUsd)} per BTC (LTV ${percent(loan.marginCallLtv ?? 0)})` : 'undisclosed',
        ),
        h('dt', {}, 'Liquidation at'),
        h(
          'dd',
          {},
          loan.liquidationPriceUsd ? `${usd(loan.liquidationPriceUsd)} per BTC (LTV ${percent(loan.liquidationLtv ?? 0)})` : 'undisclosed',
        ),
      ),
      sourceLine(loan.source),
    ),
  );
  return h(
    'section',
    { 'aria-labelledby': 'debt-title' },
    h('h2', { id: 'debt-title' }, 'Debt'),
    loans.length > 0 ? h('ul', { class: 'loans' }, ...items) : h('p', {}, 'No debt recorded.'),
    closes.length > 0 ? chart.element : h('p', {}, 'No BTC prices recorded.'),
  );
}

function shareSection(company: Company, candles: Candle[], adjusted: boolean, rerender: (adjusted: boolean) => void): HTMLElement {
  const stock = company.stock;
  if (!stock)
    return h(
      'section',
      { 'aria-labelledby': 'share-title' },
      h('h2', { id: 'share-title' }, 'Share price'),
      h('p', {}, 'No listed share recorded.'),
    );
  const toggle = h(
    'button',
    { type: 'button', 'aria-pressed': String(!adjusted), class: 'toggle', 'data-testid': 'raw-toggle' },
    adjusted ? 'Show raw prices (as observed)' : 'Show adjusted prices',
  );
  toggle.addEventListener('click', () => rerender(!adjusted));
  const chart = figure(
    `${stock.symbol} daily close, ${adjusted ? 'adjusted for corporate actions' : 'raw, as observed'}`,
    `${stock.symbol} closes: ${candles.map((candle) => `${usd(candle.close)} on ${candle.start.slice(0, 10)}`).join('; ') || 'none'}. Corporate actions: ${
      stock.corporateActions.map((action) => `${action.description} (${action.effectiveOn})`).join('; ') || 'none'
    }.`,
  );
  if (candles.length > 0) {
    const x = candles.map((candle) => seconds(candle.start));
    queueMicrotask(() =>
      timeChart(chart.plot, {
        x,
        series: [{ label: `${stock.symbol} close (USD)`, values: candles.map((candle) => Number(candle.close)), style: 'line' }],
        yLabel: 'USD',
        draw: (u) => {
          for (const action of stock.corporateActions) ruleAt(u, seconds(action.effectiveOn), `×${action.ratio} on ${action.effectiveOn}`);
        },
      }),
    );
  }
  return h(
    'section',
    { 'aria-labelledby': 'share-title' },
    h('h2', { id: 'share-title' }, 'Share price'),
    toggle,
    candles.length > 0 ? chart.element : h('p', {}, 'No share prices recorded in this window.'),
    stock.latestPrice
      ? h(
          'p',
          {},
          'Latest: ',
          cited(usd(stock.latestPrice.priceUsd), stock.latestPrice.source),
          ` observed ${stock.latestPrice.at.slice(0, 10)}`,
        )
      : null,
    h(
      'ul',
      { class: 'actions' },
      ...stock.corporateActions.map((action) =>
        h('li', {}, `${action.effectiveOn}: `, cited(`${action.ratio} new units per old unit`, action.source), ` (${action.description})`),
      ),
    ),
  );
}

function peopleAndSites(company: Company): HTMLElement {
  const regions = new Map<string, Company['sites']['edges'][number]['node'][]>();
  for (const { node } of company.sites.edges) regions.set(node.region, [...(regions.get(node.region) ?? []), node]);
  const summary = company.siteSummary;
  return h(
    'section',
    { 'aria-labelledby': 'people-title' },
    h('h2', { id: 'people-title' }, 'Officers and sites'),
    h(
      'ul',
      { class: 'officers' },
      ...company.officers.map((officer) =>
        h(
          'li',
          {},
          cited(`${officer.name}, ${officer.role}`, officer.source),
          officer.since ? ` since ${officer.since}` : '',
          officer.previousEmployer ? `, previously at ${officer.previousEmployer}` : '',
        ),
      ),
    ),
    summary.reportedSiteCount !== null || summary.reportedRegions.length > 0
      ? h(
          'p',
          {},
          `As the company reports it: ${summary.reportedSiteCount !== null ? `${summary.reportedSiteCount} sites` : 'sites'}${summary.reportedRegions.length > 0 ? ` in ${summary.reportedRegions.join(', ')}` : ''}. `,
          h('span', { class: 'note' }, '(The API gives this summary without its source; the data file cites it.)'),
        )
      : null,
    ...[...regions.entries()].map(([region, sites]) =>
      h(
        'div',
        { class: 'region' },
        h('h3', {}, region),
        h(
          'ul',
          {},
          ...sites.map((site) =>
            h(
              'li',
              {},
              `${site.name}${site.country ? ` (${site.country})` : ''}: `,
              site.powerCapacityMw ? cited(`${exact(site.powerCapacityMw)} MW`, site.source) : null,
              site.powerCapacityMw && site.hashrateEh ? ', ' : null,
              site.hashrateEh ? cited(`${exact(site.hashrateEh)} EH/s`, site.source) : null,
              !site.powerCapacityMw && !site.hashrateEh ? sourceLine(site.source) : null,
            ),
          ),
        ),
      ),
    ),
    regions.size === 0 ? h('p', {}, 'No site recorded individually.') : null,
  );
}

/**
 * Renders one company into `main`; resolves once its sections are on the page, to what changes
 * them: its records, its share's price and BTC's, and a bulk change of the facts. Aborting
 * `signal` (the page went on to another read) rejects it before it writes anything.
 */
export async function renderCompany(main: HTMLElement, ticker: string, adjusted = true, signal?: AbortSignal): Promise<Topic[]> {
  const data = await companyHistory(client, { ticker, adjusted }, { signal });
  const company = data.company;
  if (!company) {
    main.replaceChildren(
      h('h1', { tabindex: -1 }, `No company with the ticker ${ticker}`),
      h('p', {}, h('a', { href: '#/' }, 'Back to the overview')),
    );
    return [{ kind: 'facts' }];
  }
  const prices = await priceCandles(
    client,
    {
      symbol: company.stock?.symbol ?? 'BTC',
      from: PRICES_FROM,
      to: new Date().toISOString(),
      interval: 'DAY',
      adjusted,
    },
    { signal },
  );
  const rerender = (next: boolean) => {
    void renderCompany(main, ticker, next).then(() => main.querySelector<HTMLElement>('[data-testid="raw-toggle"]')?.focus());
  };
  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'All miners'), ' › ', company.ticker),
    h('h1', { tabindex: -1 }, `${company.name} (${company.ticker})`),
    h(
      'p',
      { class: 'lede' },
      `${company.exchange ?? 'Exchange not recorded'} · ${company.businessLines.map((line) => line.toLowerCase().replace(/_/g, ' ')).join(', ')} · `,
      sourceLine(company.source),
    ),
    holdingsSection(company),
    productionSection(company),
    debtSection(company, prices.btc?.candles ?? []),
    shareSection(company, company.stock ? (prices.share?.candles ?? []) : [], adjusted, rerender),
    peopleAndSites(company),
  );
  return [
    { kind: 'facts' },
    { kind: 'company', ticker: company.ticker },
    { kind: 'prices', symbol: 'BTC' },
    ...(company.stock ? [{ kind: 'prices', symbol: company.stock.symbol } as const] : []),
  ];
}
