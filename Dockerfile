# syntax=docker/dockerfile:1
#
# One image for every service of the chain; the environment picks which one runs:
#   app_name=hello | formatter   (professor=true makes formatter v2)
#   TRACING_MODE=instrumented | headers-only   (`opentracing`, the old name, still works)
# Build: docker build -t hello-app .
#
# The base is pinned to an exact release of Node.js 24, one of the two LTS lines the
# project supports (22 and 24): .ci/run runs the test suite on this same release with
# scripts/node.sh 24 (test/deploy/dockerfile.test.ts keeps the two in step).

# ---- build: compile TypeScript into dist/ ----------------------------------------
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script to build or run (only jest's optional watcher has one)
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only ------------------------------------------
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime: node, dist/ and the production node_modules, run as a non-root user --
FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
# Owned by root and not writable by the app's user: the image's files are read-only to it
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The base image's "node" user, by number so Kubernetes' runAsNonRoot can verify it
USER 1000:1000
EXPOSE 8080
# The app stops taking requests, drains in-flight ones and flushes its spans on SIGTERM
STOPSIGNAL SIGTERM
# node itself as PID 1, not npm: npm does not forward signals to its child
CMD ["node", "dist/main.js"]
