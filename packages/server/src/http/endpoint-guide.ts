import express, { type NextFunction, type Request, type Response } from 'express';
import { FAVICON_PATH } from './favicon.js';
import { sendError } from './limits.js';
import { noteErrorCode } from './request-log.js';

export interface EndpointGuideOptions {
  graphqlPath: string;
  /** Whether the playground router answers browsers before this one. */
  playground: boolean;
  /** Where the README's API section is served, if it is. */
  docsPath: string | null;
}

const POST_GRAPHQL = (graphqlPath: string) =>
  `This is MinerGraph's GraphQL API. Send GraphQL as a POST to ${graphqlPath} with a JSON body, e.g.\n` +
  `  curl -X POST -H 'content-type: application/json' -d '{"query":"{ companies { totalCount } }"}' <this URL>\n`;

const TURN_ON =
  'The playground is off on this server. Start it with MINERGRAPH_PLAYGROUND=true (and MINERGRAPH_INTROSPECTION=true for the docs and autocompletion) to use it from a browser.';

// The page is static: no script, no style, only the icon.
const CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'";

function playgroundOffPage(options: EndpointGuideOptions): string {
  const docs = options.docsPath ? `\n<p>How to use the API: <a href="${options.docsPath}">the README's "Running it" section</a>.</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MinerGraph: the playground is off</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
</head>
<body>
<h1>MinerGraph</h1>
<p>The GraphQL playground is off on this server.</p>
<p>To turn it on, start the server with <code>MINERGRAPH_PLAYGROUND=true</code> (and <code>MINERGRAPH_INTROSPECTION=true</code>,
so the playground can show the schema's documentation and complete what you type).</p>
<p>The API itself answers GraphQL sent as a <code>POST</code> to <code>${options.graphqlPath}</code>.</p>${docs}
</body>
</html>
`;
}

/**
 * GET on the endpoint (or /) with no query string is a person finding their way, not a
 * GraphQL request: Apollo would refuse it as a possible CSRF attack, which says nothing
 * useful. A browser gets a page saying how to turn the playground on (when the playground
 * router has not served it), anything else a plain message saying to POST GraphQL. A GET
 * with a query string (a query, a persisted query's hash) still goes to Apollo.
 */
export function endpointGuide(options: EndpointGuideOptions): express.Router {
  const router = express.Router();
  const page = playgroundOffPage(options);
  router.get(['/', options.graphqlPath], (req: Request, res: Response, next: NextFunction) => {
    if (Object.keys(req.query).length > 0) {
      next();
      return;
    }
    res.vary('Accept');
    const wanted = req.accepts(['text/plain', 'application/json', 'application/graphql-response+json', 'text/html']);
    if (wanted === 'text/html' && !options.playground) {
      res.set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY }).send(page);
      return;
    }
    const message =
      POST_GRAPHQL(options.graphqlPath) + (options.playground ? 'Open this URL in a browser for the playground.\n' : `${TURN_ON}\n`);
    if (wanted === 'application/json' || wanted === 'application/graphql-response+json') {
      sendError(res, 'BAD_REQUEST', message.trim());
      return;
    }
    noteErrorCode(res, 'BAD_REQUEST');
    res.status(400).type('text/plain; charset=utf-8').send(message);
  });
  return router;
}
