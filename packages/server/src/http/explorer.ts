import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { FAVICON_PATH } from './favicon.js';

/**
 * The explorer page (packages/explorer) at `/`: the page is written here, its script and
 * stylesheet are the files packages/explorer's build wrote (named by their content hash in
 * its manifest.json). Everything comes from this server; the page's policy allows nothing else.
 */

export interface ExplorerOptions {
  /** The folder the explorer's build wrote (manifest.json and the files it names). */
  directory: string;
  /** The GraphQL endpoint the page calls, as seen by this router (e.g. `/graphql`). */
  graphqlPath: string;
  /** Where the playground is, linked from the page's header; null when it is off. */
  playgroundPath: string | null;
}

const ASSET_PREFIX = '/explorer';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // uPlot positions its legend and cursor through element styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // The API, and its WebSocket for the live updates: 'self' covers ws:/wss: to this same host
  // (CSP Level 3; the browser test's page subscribes under this policy and logs no violation).
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface ExplorerManifest {
  script: string;
  stylesheet: string;
}

/** Where `pnpm start` builds the page: packages/explorer/dist, found from this package as Node would. */
export function defaultExplorerDirectory(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@minergraph/explorer/package.json')), 'dist');
}

function readManifest(directory: string): ExplorerManifest | null {
  try {
    const manifest = JSON.parse(readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as Partial<ExplorerManifest>;
    return typeof manifest.script === 'string' && typeof manifest.stylesheet === 'string'
      ? { script: manifest.script, stylesheet: manifest.stylesheet }
      : null;
  } catch {
    return null;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function renderPage(manifest: ExplorerManifest, options: { baseUrl: string; graphqlUrl: string; playgroundUrl: string | null }): string {
  const asset = (name: string) => escapeHtml(`${options.baseUrl}${ASSET_PREFIX}/${name}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MinerGraph explorer</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
<link rel="stylesheet" href="${asset(manifest.stylesheet)}">
<script type="module" src="${asset(manifest.script)}"></script>
</head>
<body data-graphql-url="${escapeHtml(options.graphqlUrl)}">
<a class="skip" href="#main">Skip to the content</a>
<header class="site">
<span class="name">MinerGraph</span>
<nav aria-label="Views"><ul>
<li><a href="#/" data-view="overview">Miners</a></li>
<li><a href="#/company/CANG" data-view="company">Cango</a></li>
<li><a href="#/prices" data-view="prices">Prices</a></li>
${options.playgroundUrl ? `<li><a href="${escapeHtml(options.playgroundUrl)}">GraphQL playground</a></li>` : ''}
</ul></nav>
</header>
<p id="status" role="status" aria-live="polite">Loading…</p>
<main id="main" tabindex="-1"></main>
<noscript>The explorer needs JavaScript. The API itself answers POST requests at ${escapeHtml(options.graphqlUrl)}.</noscript>
</body>
</html>
`;
}

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>MinerGraph: the explorer is not built</title></head>
<body>
<h1>MinerGraph</h1>
<p>The explorer page has not been built. <code>pnpm start</code> builds it; so does <code>pnpm --filter @minergraph/explorer build</code>.</p>
</body>
</html>
`;

/**
 * Serves the explorer page to browsers at `/` (and at /company/TICKER and /prices, which the page
 * reads as its own routes), and its files under /explorer/. Anything else, and `/` asked for
 * JSON, passes on, so mount it before the playground and the endpoint guide.
 */
export function explorerRouter(options: ExplorerOptions): express.Router {
  const router = express.Router();
  // Read once found: a build replaces the folder whole, and new names come with a new manifest.
  let manifest: ExplorerManifest | null = null;
  const current = () => (manifest ??= readManifest(options.directory));

  router.get(['/', '/company/:ticker', '/prices'], (req: Request, res: Response, next: NextFunction) => {
    res.vary('Accept');
    const wantsPage =
      req.query.query === undefined && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (!wantsPage) {
      next();
      return;
    }
    const built = current();
    res.set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    });
    if (built === null) {
      res.status(503).send(NOT_BUILT);
      return;
    }
    res.send(
      renderPage(built, {
        baseUrl: req.baseUrl,
        graphqlUrl: `${req.baseUrl}${options.graphqlPath}`,
        playgroundUrl: options.playgroundPath === null ? null : `${req.baseUrl}${options.playgroundPath}`,
      }),
    );
  });

  router.get(`${ASSET_PREFIX}/:name`, (req: Request, res: Response, next: NextFunction) => {
    const built = current();
    const name = String(req.params.name);
    const contentType =
      built?.script === name ? 'text/javascript; charset=utf-8' : built?.stylesheet === name ? 'text/css; charset=utf-8' : null;
    if (contentType === null) {
      next();
      return;
    }
    res.sendFile(name, { root: options.directory, headers: { 'Content-Type': contentType, 'Cache-Control': IMMUTABLE } }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  });

  return router;
}
