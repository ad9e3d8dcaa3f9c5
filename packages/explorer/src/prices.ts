// Prices: BTC and one share as candles over a chosen window and interval.
import { priceCandles, type CandleInterval, type PriceCandlesQuery } from '@minergraph/sdk/operations';
import { client } from './api.js';
import { candleChart, figure, seconds } from './charts.js';
import { h } from './dom.js';
import { cited, usd } from './format.js';
import type { Topic } from './live.js';

export interface PriceChoice {
  symbol: string;
  from: string;
  to: string;
  interval: CandleInterval;
  adjusted: boolean;
}

export const DEFAULT_CHOICE: PriceChoice = {
  symbol: 'CANG',
  from: '2025-01-01',
  to: new Date().toISOString().slice(0, 10),
  interval: 'DAY',
  adjusted: true,
};

type Candles = NonNullable<PriceCandlesQuery['btc']>['candles'];

function candlesFigure(title: string, candles: Candles, unit: string): HTMLElement {
  const shown = candles.slice(-60);
  const chart = figure(
    title,
    `${title}: ${candles.length} candles${candles.length > 0 ? `, from ${candles[0]!.start.slice(0, 10)} to ${candles[candles.length - 1]!.start.slice(0, 10)}` : ''}. Filled body: closed at or above its open; hollow: closed below.`,
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `${title} as a table` },
      h(
        'table',
        {},
        h('caption', {}, `${title}${candles.length > shown.length ? ` (the last ${shown.length})` : ''}`),
        h('thead', {}, h('tr', {}, ...['Start', 'Open', 'High', 'Low', 'Close'].map((label) => h('th', { scope: 'col' }, label)))),
        h(
          'tbody',
          {},
          ...shown.map((candle) =>
            h(
              'tr',
              {},
              h('td', {}, candle.start.slice(0, 10)),
              ...[candle.open, candle.high, candle.low, candle.close].map((value) => h('td', { class: 'num' }, usd(value))),
            ),
          ),
        ),
      ),
    ),
  );
  if (candles.length > 0) {
    queueMicrotask(() =>
      candleChart(
        chart.plot,
        {
          x: candles.map((candle) => seconds(candle.start)),
          open: candles.map((candle) => Number(candle.open)),
          high: candles.map((candle) => Number(candle.high)),
          low: candles.map((candle) => Number(candle.low)),
          close: candles.map((candle) => Number(candle.close)),
        },
        unit,
      ),
    );
  } else chart.plot.replaceChildren(h('p', {}, 'No prices recorded in this window.'));
  return chart.element;
}

/**
 * Renders the prices view into `main` for `choice`; the form re-renders it with the new choice.
 * Resolves to what changes it: the prices of BTC and of the share, and a bulk change of the facts.
 * Aborting `signal` (the page went on to another read) rejects it before it writes anything.
 */
export async function renderPrices(
  main: HTMLElement,
  choice: PriceChoice,
  navigate: (choice: PriceChoice) => void,
  signal?: AbortSignal,
): Promise<Topic[]> {
  const data = await priceCandles(
    client,
    {
      symbol: choice.symbol,
      from: `${choice.from}T00:00:00Z`,
      to: `${choice.to}T23:59:59.999Z`,
      interval: choice.interval,
      adjusted: choice.adjusted,
    },
    { signal },
  );
  const field = (label: string, control: HTMLElement) => h('label', {}, h('span', {}, label), control);
  const symbol = h(
    'select',
    { name: 'symbol' },
    ...data.shares.map((share) =>
      h('option', { value: share.symbol, selected: share.symbol === choice.symbol }, `${share.symbol} (${share.name})`),
    ),
  );
  const from = h('input', { type: 'date', name: 'from', value: choice.from, required: true });
  const to = h('input', { type: 'date', name: 'to', value: choice.to, required: true });
  const interval = h(
    'select',
    { name: 'interval' },
    ...(['DAY', 'WEEK', 'MONTH'] as const).map((value) => h('option', { value, selected: value === choice.interval }, value.toLowerCase())),
  );
  const adjusted = h('input', { type: 'checkbox', name: 'adjusted', checked: choice.adjusted });
  const form = h(
    'form',
    { class: 'controls' },
    field('Share', symbol),
    field('From', from),
    field('To', to),
    field('Interval', interval),
    h('label', { class: 'check' }, adjusted, h('span', {}, 'Adjust the share for corporate actions')),
    h('button', { type: 'submit' }, 'Show'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate({
      symbol: symbol.value,
      from: from.value,
      to: to.value,
      interval: interval.value as CandleInterval,
      adjusted: adjusted.checked,
    });
  });
  const share = data.share;
  const actions =
    share && share.corporateActions.length > 0
      ? h(
          'ul',
          { class: 'actions' },
          ...share.corporateActions.map((action) =>
            h(
              'li',
              {},
              `${action.effectiveOn}: `,
              cited(`${action.ratio} new units per old unit`, action.source),
              ` (${action.description})`,
            ),
          ),
        )
      : h('p', {}, 'No corporate action recorded.');
  main.replaceChildren(
    h('h1', { tabindex: -1 }, 'Prices'),
    h(
      'p',
      { class: 'lede' },
      `Candles from ${choice.from} to ${choice.to}, one per ${choice.interval.toLowerCase()} (UTC); empty intervals are left out.`,
    ),
    form,
    candlesFigure(`BTC, USD per ${choice.interval.toLowerCase()}`, data.btc?.candles ?? [], 'USD per BTC'),
    share
      ? candlesFigure(
          `${share.symbol} (${share.name}), ${choice.adjusted ? 'adjusted' : 'raw'}`,
          share.candles,
          `USD per ${share.symbol} share`,
        )
      : h('p', {}, `No asset ${choice.symbol}.`),
    actions,
  );
  return [{ kind: 'facts' }, { kind: 'prices', symbol: 'BTC' }, ...(share ? [{ kind: 'prices', symbol: share.symbol } as const] : [])];
}
