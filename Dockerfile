# ShareSafe: build with `docker build -t sharesafe .`, run with
#   docker run -p 3000:3000 -v sharesafe-data:/app/data -e DATA_KEY=... sharesafe
# A face worker for many schools (docs/deployment.md): `docker build --target worker -t sharesafe-worker .`,
#   docker run -e REDIS_URL=redis://redis:6379 sharesafe-worker
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
# With internet access the optional @tensorflow/tfjs-node installs and the engine uses it;
# without, npm drops it and the engine falls back to the bundled wasm backend.
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The image uses Debian's ffmpeg (below): the npm fallback binaries would only add weight.
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/@ffmpeg-installer node_modules/@ffprobe-installer

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# Video checks decode and encode with the system's ffmpeg.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data UPLOADS_DIR=/app/uploads
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/src ./src
COPY models ./models

# Stateless face worker: loads the models once, takes photo jobs from every school's queue on
# REDIS_URL; no data volume, no port. `docker stop` (SIGTERM) lets it finish the photo in hand.
FROM runtime AS worker
USER node
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/worker-main.js"]

# The school's service (the default target: last in the file).
FROM runtime AS service
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data UPLOADS_DIR=/app/uploads
RUN mkdir -p data uploads && chown -R node:node data uploads
USER node
EXPOSE 3000
# Healthy when the service answers /api/health (a "degraded" engine still answers 200: the
# register and office work without it, and a restart would not bring the models back).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
