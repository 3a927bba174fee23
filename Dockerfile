# syntax=docker/dockerfile:1
# One image for every ecr-bridge process. The command picks the process:
#   docker build -t ecr-bridge:0.1.0 .
#   docker run ecr-bridge:0.1.0                                     # gateway (the default)
#   docker run ecr-bridge:0.1.0 dist/apps/payments/src/main.js      # a worker, or the sandbox
#   docker run ecr-bridge:0.1.0 dist/libs/persistence/src/migrate.js
# Node is the entry point so that SIGTERM reaches the app's own shutdown handler directly.

ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Compiles TypeScript with every dependency; nothing from this stage but dist/ is kept.
FROM base AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
COPY scripts ./scripts
RUN npm run build

# Production dependencies only, installed from the same lock file.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root and read-only to the app user: the process writes nothing to disk.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's `node` user, by number so that Kubernetes can enforce runAsNonRoot.
USER 1000:1000
EXPOSE 3000 3001 3002 3003 3004 4010
ENTRYPOINT ["node"]
CMD ["dist/apps/gateway/src/main.js"]
