# syntax=docker/dockerfile:1
#
# MinerGraph server image.
#   docker build -t minergraph-server .
#   docker run -p 4000:4000 -e DATABASE_URL=postgres://user:pass@host:5432/minergraph minergraph-server
# Without DATABASE_URL the server uses the embedded PGlite in /data (mount a volume there to keep it).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install the whole workspace, compile TypeScript, then deploy the server alone.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /repo
# Why: pnpm keeps its store under PNPM_HOME, which the cache mounts below point at; CI=true
# keeps pnpm from prompting (there is no TTY in a build).
ENV PNPM_HOME=/pnpm \
    CI=true

# Why npm and not corepack: corepack's pnpm download fails its signature check in our
# environments. Install exactly the version in package.json's "packageManager" field, so
# pnpm 10 has no reason to fetch and switch to another version itself.
COPY package.json ./
RUN npm install --global --no-fund --no-audit \
      "pnpm@$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '').split('+')[0]")" \
 && pnpm --version

# Manifests first, so the dependency layer is reused until a manifest or the lock file
# changes. List every workspace package: pnpm silently skips one whose manifest is missing,
# leaving it without node_modules (compose.test.ts checks the list).
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY packages/schema/package.json packages/schema/
COPY packages/server/package.json packages/server/
COPY packages/sdk/package.json packages/sdk/
COPY packages/explorer/package.json packages/explorer/
COPY packages/test-support/package.json packages/test-support/
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile

COPY . .
# Build the server and the workspace packages it depends on (the trailing "..."), in order: the
# explorer's build bundles its page into packages/explorer/dist, which deploy copies with it.
RUN pnpm --filter "@minergraph/server..." run build

# A self-contained copy of the server: its files plus production dependencies only, with
# @minergraph/schema (and its dist/) copied into /out rather than linked back to
# packages/schema. pnpm 10 needs --legacy because the workspace does not set
# inject-workspace-packages (without it: ERR_PNPM_DEPLOY_NONINJECTED_WORKSPACE).
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm --filter @minergraph/server deploy --prod --legacy /out

# ---------------------------------------------------------------------------------------------
# runtime: Node and the deployed server, nothing else (no pnpm, no TypeScript, no sources).
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    LOG_LEVEL=info \
    MINERGRAPH_DATA_DIR=/data/pglite
WORKDIR /app

# Why root-owned: the application files stay read-only to the user that runs them. Only /data
# (the embedded database, used when DATABASE_URL is unset) is writable by that user; PGlite
# also keeps a lock file beside its directory, hence the parent directory.
COPY --from=build /out/package.json ./package.json
COPY --from=build /out/dist ./dist
# The SDK's operations (pnpm generate copies them here): the server answers them by hash.
COPY --from=build /out/persisted-operations.json ./persisted-operations.json
COPY --from=build /out/node_modules ./node_modules
# The server serves the README's "Running it" section at /docs, and the playground links to it.
COPY README.md ./README.md
# The reviewed data files the seed loads into an empty database (found by walking up from dist/).
COPY data ./data
RUN mkdir -p /data && chown node:node /data

# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 4000

# Slim images have no curl; Node 20 has fetch. 127.0.0.1 rather than localhost, which may
# resolve to ::1 while the server listens on IPv4. The start period covers migrate + seed.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# The server shuts down gracefully on SIGTERM. Node runs as PID 1 directly (exec form, no
# shell, no npm/pnpm wrapper) so that the signal reaches it.
STOPSIGNAL SIGTERM
CMD ["node", "dist/cli.js", "serve"]
