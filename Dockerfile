# The production image of apps/server. Built by `docker compose up`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY types ./types
COPY libs ./libs
COPY apps ./apps
RUN npm run build && npm run build:web && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Chromium prints the reports to PDF with a Japanese font.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-ipafont-gothic && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/apps/web/dist ./apps/web/dist
# The plan seeds: the server loads SEED (ube by default) on its first start.
COPY seeds ./seeds
# The session secret and the first administrator's password are kept here (a volume in compose).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# A heap budget: without one V8 sizes the heap by the machine's memory and lets garbage pile up to it.
CMD ["node", "--max-old-space-size=384", "dist/apps/server/src/main.js"]
