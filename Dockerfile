# Convene server image: multi-stage on Node 24 (the current LTS; Node 20 reached end of life in
# April 2026). Stage 1 installs with `npm ci`, builds (tsc + the browser pages) and prunes dev
# dependencies; stage 2 carries only the built app and production dependencies and runs as the
# unprivileged `node` user. TLS ends in front of the container (ingress / App Service), so the
# container speaks plain HTTP on $PORT; NODE_ENV=production turns on the production-mode
# refusals (no master key, an http:// CONVENE_PUBLIC_URL, or the simulator: the server exits).
#   docker build -t convene .
#   docker run -p 8080:8080 --env-file convene.env convene
FROM node:24-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so source edits do not re-download them. Install scripts run later, once
# the sources are there (`prepare` builds the app).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm rebuild && npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# V8 heap bounds (bench/node-flags.ts: peak RSS ~195 MB under load instead of ~260 MB); App
# Service's startup command and `npm start` pass the same flags.
CMD ["node", "--max-semi-space-size=16", "--max-old-space-size=768", "dist/src/server/main.js"]
