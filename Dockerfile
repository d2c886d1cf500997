# cronq for distributed deployments: one image for `cronq scheduler`, `cronq worker` and `cronq serve`.
#
#   docker build -t cronq .
#   docker compose up --scale worker=3        (see compose.yaml and docs/distributed.md)
#
# Stages: `build` compiles TypeScript and bundles the dashboard with the dev dependencies, `deps`
# installs the production dependencies only (better-sqlite3's native addon is built there, with the
# compilers of the full image), and the runtime stage copies both onto a slim image and runs as the
# unprivileged `node` user.

FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --chown=node:node package.json ./
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/dist-dashboard ./dist-dashboard
# The example config and its tasks (they import the sources, which tsx loads). Your own config can
# import from "cronq" instead: the package resolves itself by name.
COPY --chown=node:node examples ./examples
COPY --chown=node:node src ./src
COPY --chown=node:node tsconfig.json ./
USER node
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["--help"]
