// The explorer page: a hash router over three views. `#/` the miners at a glance,
// `#/company/CANG` one company, `#/prices?symbol=CANG&from=...` candles.
import type { CandleInterval } from '@minergraph/sdk/operations';
import { MinerGraphError } from '@minergraph/sdk/operations';
import { renderCompany } from './company.js';
import { h } from './dom.js';
import { type Topic, watch } from './live.js';
import { renderOverview } from './overview.js';
import { DEFAULT_CHOICE, renderPrices, type PriceChoice } from './prices.js';
import './style.css';

const main = document.getElementById('main') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;

function choiceFrom(query: URLSearchParams): PriceChoice {
  const interval = query.get('interval');
  return {
    symbol: query.get('symbol') ?? DEFAULT_CHOICE.symbol,
    from: query.get('from') ?? DEFAULT_CHOICE.from,
    to: query.get('to') ?? DEFAULT_CHOICE.to,
    interval: interval === 'WEEK' || interval === 'MONTH' || interval === 'DAY' ? (interval as CandleInterval) : DEFAULT_CHOICE.interval,
    adjusted: query.get('adjusted') !== 'false',
  };
}

function pricesHash(choice: PriceChoice): string {
  const query = new URLSearchParams({
    symbol: choice.symbol,
    from: choice.from,
    to: choice.to,
    interval: choice.interval,
    adjusted: String(choice.adjusted),
  });
  return `#/prices?${query}`;
}

/** How to find the focused element of the view again after a re-read replaced it, when it has a name. */
function focusedSelector(): string | null {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || active === main || !main.contains(active)) return null;
  for (const attribute of ['data-testid', 'data-sort', 'name', 'aria-label']) {
    const value = active.getAttribute(attribute);
    if (value !== null) return `[${attribute}="${CSS.escape(value)}"]`;
  }
  return active.tagName === 'H1' ? 'h1' : null;
}

let rendering = 0;
/** Cancels the read in flight when another starts: only the latest read writes the page. */
let reading: AbortController | null = null;

/**
 * Renders the view the hash names. `live`: a re-read because what it shows changed (an event,
 * a reconnect): the same view in place, without the loading status, keeping the raw/adjusted
 * choice shown and the focus on the element of the same name.
 */
async function route(live = false): Promise<void> {
  const turn = ++rendering;
  reading?.abort();
  const controller = new AbortController();
  reading = controller;
  const { signal } = controller;
  const [path = '/', search = ''] = (location.hash.replace(/^#/, '') || '/').split('?');
  const company = /^\/company\/([A-Za-z0-9.-]{1,12})$/.exec(path);
  const view = company ? 'company' : path === '/prices' ? 'prices' : 'overview';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.body.dataset.view = view;
  if (!live) {
    delete document.body.dataset.rendered;
    status.textContent = 'Loading…';
  }
  const started = performance.now();
  const focused = live ? focusedSelector() : null;
  try {
    let topics: Topic[];
    if (company) {
      const adjusted = !live || main.querySelector('[data-testid="raw-toggle"]')?.getAttribute('aria-pressed') !== 'true';
      topics = await renderCompany(main, company[1]!.toUpperCase(), adjusted, signal);
      document.title = `${company[1]!.toUpperCase()} · MinerGraph explorer`;
    } else if (view === 'prices') {
      topics = await renderPrices(
        main,
        choiceFrom(new URLSearchParams(search)),
        (choice) => {
          location.hash = pricesHash(choice);
        },
        signal,
      );
      document.title = 'Prices · MinerGraph explorer';
    } else {
      topics = await renderOverview(main, signal);
      document.title = 'Listed miners · MinerGraph explorer';
    }
    if (turn !== rendering) return;
    const shown = location.hash;
    watch(
      topics,
      // A read of another view in flight (the hash changed) is newer than any event for this one.
      () => (location.hash === shown ? route(true) : Promise.resolve()),
      (message) => {
        status.textContent = `Live updates stopped (${message}); reload the page to resume them.`;
      },
    );
    // How many times this view was read again since it was opened (the browser test waits on it).
    document.body.dataset.refreshed = live ? String(Number(document.body.dataset.refreshed ?? 0) + 1) : '0';
    if (live) {
      if (focused) main.querySelector<HTMLElement>(focused)?.focus({ preventScroll: true });
      return;
    }
    status.textContent = '';
    // Charts are drawn in the microtasks the views queued; the mark follows them.
    await Promise.resolve();
    performance.mark(`${view}-rendered`, { detail: { sinceRouting: performance.now() - started } });
    document.body.dataset.rendered = view;
    main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  } catch (error) {
    if (turn !== rendering) return;
    const message = error instanceof MinerGraphError ? `${error.message} (${error.kind})` : String(error);
    // A failed re-read leaves the view as it was, and says so.
    if (live) {
      status.textContent = `Could not read this view again (${message}); it shows what was read before.`;
      return;
    }
    status.textContent = '';
    main.replaceChildren(h('h1', { tabindex: -1 }, 'Could not load this view'), h('p', { role: 'alert' }, message));
    document.body.dataset.rendered = 'error';
  }
}

window.addEventListener('hashchange', () => void route());
// /company/CANG and /prices (a link shared without the #) are read as their hash routes.
if (!location.hash && location.pathname !== '/') history.replaceState(null, '', `/#${location.pathname}${location.search}`);
void route();
