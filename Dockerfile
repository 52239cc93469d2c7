# syntax=docker/dockerfile:1
# Switchboard image: `docker compose up -d` builds it (see docs/operations.md, "Running with Docker Compose").
# The same image runs every sub-command: `start` (default), `bot`, `worker`, `ingest`, `whoowns`, …
#
# Node 20 matches package.json `engines` and the CI machine (better-sqlite3 is pinned to 12.x for it).
# bookworm (glibc), not Alpine: the worker's Temporal core bridge and @swc/core (workflow bundling) are
# used here in their glibc builds.

##### dependencies: compiled once, with the toolchain better-sqlite3 12 needs when no prebuilt binary
##### can be downloaded (node-gyp: python3, make, g++)
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only: there is no build step (bin/switchboard.js runs the TypeScript through
# tsx, a runtime dependency), so the compiler, linters and test tools stay out of the image.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

##### runtime
FROM node:20-bookworm-slim
# git: the createService workflow renders a template and pushes it to a git remote (ssh or https).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    SWITCHBOARD_DB=/app/data/switchboard.db
# Code and dependencies belong to root and are read-only for the `node` user the process runs as;
# only the data folder is writable.
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# The SQLite catalog and bot state (WAL mode): keep it on a volume, shared by `bot` and `worker`.
VOLUME ["/app/data"]
EXPOSE 3000
# GET /healthz on PORT (default 3000); node's fetch, so no curl in the image. The start period covers
# the catalog ingest at start-up (100k entities: under 30 s).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/switchboard.js"]
CMD ["start"]
