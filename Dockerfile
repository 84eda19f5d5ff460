# syntax=docker/dockerfile:1
# balance-gateway as a container (README, "Container"): build with the dev dependencies, run with
# the production dependencies and the compiled dist/ only, as the unprivileged `node` user.
#
#   docker build -t balance-gateway .
#   docker run -p 4000:4000 -v ./gateway.yaml:/etc/balance-gateway/gateway.yaml:ro \
#     -e FORMANCE_SECRET -e BLNK_KEY balance-gateway
#
# The base is an argument so a registry mirror (or a locally built stand-in) can replace it; it must
# be a Debian-based Node 26 image with a `node` user, as the official node:*-slim images are.
ARG NODE_IMAGE=node:26-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
# The lock pins every version and digest, so a lent npm cache (podman build --volume ~/.npm:/root/.npm)
# is used without asking the registry again; with an empty cache this is a plain `npm ci`.
RUN npm ci --prefer-offline --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY schema schema
COPY src src
# The build, then the dev dependencies out of node_modules: what is left is what the runtime copies.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Exactly the package's runtime: package.json, production node_modules, bin/, dist/, schema/ (the
# SDL server.js reads from ../schema). No src/ here, so bin/ runs dist/.
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules node_modules
COPY --from=build /build/bin bin
COPY --from=build /build/dist dist
COPY --from=build /build/schema schema
USER node
EXPOSE 4000
# /health never calls a vendor: it answers while the process runs.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/health',{signal:AbortSignal.timeout(2500)}).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The config is mounted read-only; its ${NAME}s are read from the container's environment. The
# port is fixed at 4000 inside the container (the HEALTHCHECK's); map it with -p. The entrypoint
# starts bin/balance-gateway.js with Node, giving V8 a 16 MiB young generation under a memory limit
# of 512 MiB or less, where V8 would keep it at 4 MiB (bin/container-entrypoint.sh says why).
ENTRYPOINT ["/app/bin/container-entrypoint.sh"]
CMD ["--config", "/etc/balance-gateway/gateway.yaml", "--host", "0.0.0.0", "--port", "4000"]
