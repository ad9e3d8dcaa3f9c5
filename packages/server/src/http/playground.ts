import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { FAVICON_PATH } from './favicon.js';

/**
 * An offline GraphiQL playground: the page, React, ReactDOM and GraphiQL are all served
 * from the packages installed next to the server, so it works without internet access
 * and under a Content-Security-Policy that only allows this origin.
 */

export interface PlaygroundOptions {
  /** Path of the GraphQL endpoint, as seen by this router (e.g. `/graphql`). */
  graphqlPath: string;
  /** Text of the page's `<title>`. */
  title?: string;
  /** Where the README's API section is served; the playground links to it. */
  docsPath?: string | null;
}

const ASSET_PREFIX = '/playground';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // GraphiQL and its editors set inline `style` attributes at runtime.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // graphiql.min.css embeds its fonts as data: URLs.
  "font-src 'self' data:",
  "connect-src 'self'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const JAVASCRIPT = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const DEFAULT_QUERY = `{
  company(ticker: "CANG") {
    name
    ticker
    holdings {
      on
      btc
      valueUsd
    }
  }
}
`;

/** What the headers tab starts with: where an API key goes, ready for one to be pasted. */
export const DEFAULT_HEADERS = '{"Authorization": "Bearer "}';

// A separate file rather than an inline <script>, so the CSP needs no 'unsafe-inline'
// for scripts. It reads the endpoint and the docs' URL from the mount point, which keeps it static.
const INIT_SCRIPT = `'use strict';
{
  const mountPoint = document.getElementById('graphiql');
  const { graphqlUrl, docsUrl } = mountPoint.dataset;

  // The headers tab starts with an Authorization header waiting for a key. Until one is
  // pasted, requests go without it: the server refuses a "Bearer" with no key, and reads
  // need none.
  const send = GraphiQL.createFetcher({ url: graphqlUrl });
  const withoutBlankKey = (headers) =>
    Object.fromEntries(
      Object.entries(headers || {}).filter(([name, value]) => !(name.toLowerCase() === 'authorization' && /^Bearer\\s*$/i.test(String(value)))),
    );

  // Subscriptions run over WebSocket (graphql-ws) at the same path; the headers tab's
  // Authorization goes along as the connection's, and a new key opens a new connection.
  let socket = null;
  let socketKey = null;
  const socketFor = (authorization) => {
    if (socket !== null && socketKey === authorization) return socket;
    if (socket !== null) socket.dispose();
    const url = new URL(graphqlUrl, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socketKey = authorization;
    socket = graphqlWs.createClient({ url: url.href, connectionParams: authorization ? { authorization } : {}, retryAttempts: 3 });
    return socket;
  };
  // From the text sent, not GraphiQL's documentAST, which may still be that of the text before an edit.
  const isSubscription = (params) => {
    const text = String(params.query || '').replace(/#[^\\n]*/g, '');
    if (params.operationName) return new RegExp('(^|[\\\\s}])subscription\\\\s+' + params.operationName + '\\\\b').test(text);
    return /^\\s*subscription\\b/.test(text);
  };
  const fetcher = (params, options) => {
    const headers = withoutBlankKey(options && options.headers);
    if (!isSubscription(params)) return send(params, { ...options, headers });
    const authorization = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization');
    return socketFor(authorization ? String(authorization[1]) : null).iterate({
      query: params.query,
      variables: params.variables || {},
      ...(params.operationName ? { operationName: params.operationName } : {}),
    });
  };

  const h = React.createElement;
  const logo = h(
    GraphiQL.Logo,
    null,
    h('span', { className: 'minergraph-name' }, 'MinerGraph'),
    docsUrl ? h('a', { className: 'minergraph-docs', href: docsUrl, target: '_blank', rel: 'noopener' }, 'API docs (README)') : null,
  );

  // GraphiQL 3 writes each request's headers into its history (graphiql:queries and
  // graphiql:favorites) even with shouldPersistHeaders off, so strip them on the way to
  // localStorage: an API key pasted into the headers editor must not outlive the tab.
  const HISTORY_KEYS = ['graphiql:queries', 'graphiql:favorites'];
  const withoutHeaders = (serialized) => {
    const store = JSON.parse(serialized);
    for (const items of Object.values(store)) {
      if (Array.isArray(items)) for (const item of items) delete item.headers;
    }
    return JSON.stringify(store);
  };
  const namespacedKeys = () => Object.keys(localStorage).filter((key) => key.startsWith('graphiql:'));
  const storage = {
    getItem: (key) => localStorage.getItem(key),
    setItem: (key, value) => {
      localStorage.setItem(key, HISTORY_KEYS.includes(key) ? withoutHeaders(value) : value);
    },
    removeItem: (key) => localStorage.removeItem(key),
    clear: () => namespacedKeys().forEach((key) => localStorage.removeItem(key)),
    get length() {
      return namespacedKeys().length;
    },
  };

  ReactDOM.createRoot(mountPoint).render(
    h(
      GraphiQL,
      {
        fetcher,
        defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
        isHeadersEditorEnabled: true,
        // Open on the headers tab, where an API key goes.
        defaultEditorToolsVisibility: 'headers',
        defaultHeaders: ${JSON.stringify(DEFAULT_HEADERS)},
        shouldPersistHeaders: false,
        storage,
      },
      logo,
    ),
  );
}
`;

interface StaticAsset {
  directory: string;
  fileName: string;
  contentType: string;
}

/**
 * The only files served under /playground/, keyed by public name. Vendor names carry the
 * package version, so a year-long immutable cache is still correct after an upgrade.
 */
function vendorAssets(): Map<string, StaticAsset> {
  const require = createRequire(import.meta.url);
  // react and react-dom do not export their umd/ folders, so locate each package by its
  // package.json, which they do export.
  const packageInfo = (name: string) => {
    const manifestPath = require.resolve(`${name}/package.json`);
    const { version } = require(manifestPath) as { version: string };
    return { directory: path.dirname(manifestPath), version };
  };
  const react = packageInfo('react');
  const reactDom = packageInfo('react-dom');
  const graphiql = packageInfo('graphiql');
  const graphqlWs = packageInfo('graphql-ws');

  const assets = new Map<string, StaticAsset>();
  const add = (publicName: string, packageDirectory: string, relativePath: string, contentType: string) => {
    const file = path.join(packageDirectory, relativePath);
    assets.set(publicName, { directory: path.dirname(file), fileName: path.basename(file), contentType });
  };
  add(`react-${react.version}.production.min.js`, react.directory, 'umd/react.production.min.js', JAVASCRIPT);
  add(`react-dom-${reactDom.version}.production.min.js`, reactDom.directory, 'umd/react-dom.production.min.js', JAVASCRIPT);
  add(`graphiql-${graphiql.version}.min.js`, graphiql.directory, 'graphiql.min.js', JAVASCRIPT);
  // The WebSocket client the page subscribes with (a UMD build: the global graphqlWs).
  add(`graphql-ws-${graphqlWs.version}.min.js`, graphqlWs.directory, 'umd/graphql-ws.min.js', JAVASCRIPT);
  add(`graphiql-${graphiql.version}.min.css`, graphiql.directory, 'graphiql.min.css', CSS);
  return assets;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function renderPage(options: {
  title: string;
  graphqlUrl: string;
  docsUrl: string | null;
  assetUrl: (name: string) => string;
  vendorNames: string[];
}): string {
  const { title, graphqlUrl, docsUrl, assetUrl, vendorNames } = options;
  const stylesheets = vendorNames.filter((name) => name.endsWith('.css'));
  const scripts = [...vendorNames.filter((name) => name.endsWith('.js')), 'init.js'];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
${stylesheets.map((name) => `<link rel="stylesheet" href="${escapeHtml(assetUrl(name))}">`).join('\n')}
<style>
body { margin: 0; }
#graphiql { height: 100vh; }
.graphiql-container .graphiql-logo { display: flex; align-items: baseline; gap: 1em; }
.minergraph-name { font-weight: 600; }
.minergraph-docs { font-size: 0.75em; color: hsla(var(--color-primary), 1); }
</style>
${scripts.map((name) => `<script defer src="${escapeHtml(assetUrl(name))}"></script>`).join('\n')}
</head>
<body>
<div id="graphiql" data-graphql-url="${escapeHtml(graphqlUrl)}"${docsUrl ? ` data-docs-url="${escapeHtml(docsUrl)}"` : ''}>Loading the GraphQL playground…</div>
<noscript>The GraphQL playground needs JavaScript. The API itself answers POST requests at ${escapeHtml(graphqlUrl)}.</noscript>
</body>
</html>
`;
}

/**
 * Serves the playground page at `/` and at `graphqlPath` to browsers, plus its assets under
 * `/playground/`. GraphQL requests to `graphqlPath` (JSON accepted, or a `query` parameter)
 * pass through to the next handler, so mount this router before the GraphQL middleware.
 */
export function playgroundRouter(options: PlaygroundOptions): express.Router {
  const { graphqlPath, title = 'MinerGraph playground', docsPath = null } = options;
  const vendor = vendorAssets();
  const vendorNames = [...vendor.keys()];
  const router = express.Router();

  const wantsPage = (req: Request): boolean =>
    req.query.query === undefined && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';

  router.get(['/', graphqlPath], (req: Request, res: Response, next: NextFunction) => {
    // The same URL answers JSON or HTML depending on Accept, so caches must key on it.
    res.vary('Accept');
    if (!wantsPage(req)) {
      next();
      return;
    }
    // baseUrl keeps the links right when the router is mounted under a prefix.
    const page = renderPage({
      title,
      graphqlUrl: `${req.baseUrl}${graphqlPath}`,
      docsUrl: docsPath,
      assetUrl: (name) => `${req.baseUrl}${ASSET_PREFIX}/${name}`,
      vendorNames,
    });
    res
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': REVALIDATE,
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      })
      .send(page);
  });

  router.get(`${ASSET_PREFIX}/init.js`, (_req: Request, res: Response) => {
    res.set({ 'Content-Type': JAVASCRIPT, 'Cache-Control': REVALIDATE }).send(INIT_SCRIPT);
  });

  router.get(`${ASSET_PREFIX}/:name`, (req: Request, res: Response, next: NextFunction) => {
    const asset = vendor.get(String(req.params.name));
    if (asset === undefined) {
      next();
      return;
    }
    // Sending the bare file name relative to `root`: send() rejects absolute paths that
    // contain a dot-directory, and pnpm installs everything under node_modules/.pnpm.
    res.sendFile(
      asset.fileName,
      { root: asset.directory, headers: { 'Content-Type': asset.contentType, 'Cache-Control': IMMUTABLE } },
      (error) => {
        if (error && !res.headersSent) next(error);
      },
    );
  });

  return router;
}
