# syntax=docker/dockerfile:1
# Switchboard image: `docker compose up -d` builds it (see docs/operations.md, "Running with Docker Compose").
# The same image runs every sub-command: `start` (default), `bot`, `worker`, `ingest`, `whoowns`, …
#
# Node 24 LTS, the version the project is developed and tested on (package.json `engines`: >= 22.12),
# pinned to the release CI runs, so an image rebuilt later runs the same Node; move it with CI's.
# bookworm (glibc), not Alpine: the worker's Temporal core bridge and @swc/core (workflow bundling) are
# used here in their glibc builds.

##### dependencies: production only, so the type checker, linters and test tools stay out of the image.
##### No compiler either: better-sqlite3 ships prebuilt binaries (glibc and musl, x64 and arm64).
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the project's own `prepare` is the build (scripts/build.mjs), which needs the sources
# copied below; the two dependencies with install scripts (esbuild, @swc/core: each checks its platform
# binary) then run theirs.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm rebuild esbuild @swc/core

##### runtime
FROM node:24.21.0-bookworm-slim
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
# The compiled CLI (dist/, esbuild): built here, against these sources, so bin/switchboard.js finds it
# fresh and never needs to write into the installation (read-only for `node`, and the whole root
# filesystem on Kubernetes).
RUN npm run build
# registry/ and repositories/ exist in the image so that volumes mounted there (docker-compose.yml shares
# them between replicas) start out owned by `node`, as Docker copies a folder's owner into a new volume.
RUN mkdir -p /app/data/registry /app/data/repositories && chown -R node:node /app/data
USER node
# This process's files: the catalog (SQLite, rebuilt from the sources at start) and, without
# SWITCHBOARD_STATE_URL, the shared state too. Every container gets its own volume here.
VOLUME ["/app/data"]
EXPOSE 3000
# GET /healthz on PORT (default 3000); node's fetch, so no curl in the image. The start period covers
# the catalog ingest at start-up (100k entities: under 30 s).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/switchboard.js"]
CMD ["start"]
