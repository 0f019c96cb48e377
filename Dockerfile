# The ecs-express-mode-api image: one static binary on an empty base.
#
#   toolchain: debian:bookworm-slim plus the compiler and -dev packages (apt).
#   build:     compiles the service statically (-DEEM_STATIC=ON), strips it.
#   final:     FROM scratch holding only that file, run as a numeric non-root
#              user, with a HEALTHCHECK; no shell, no libc, no package manager.
#
# Build arguments (scripts/container build passes them all):
#   GIT_COMMIT   commit SHA served by GET /version; revision label
#   VERSION      version label (scripts/container: the CMake project version,
#                which is the version GET /version reports)
#   BUILD_TIME   RFC 3339 time served by GET /version; created label
#   SOURCE_URL   repository URL; source label
#
# HEALTHCHECK exists in the Docker image format only: `docker build` uses it by
# default, podman/buildah need `--format docker` (scripts/container passes it).
# Target platform: linux/amd64 (the seed's ECS tasks).

FROM debian:bookworm-slim AS toolchain
ARG DEBIAN_FRONTEND=noninteractive
# The service alone (-DEEM_SHIPCTL=OFF) needs only Boost (Beast, Asio),
# nlohmann-json and CLI11 (cmake/Dependencies.cmake).
# Cache mounts keep downloaded packages and lists between builds, so a changed
# package list downloads only what is new. The official debian images delete
# downloaded packages after each install (apt.conf.d/docker-clean): turn that off.
# Only the archives mount is "locked": apt-get update deletes unknown files in
# lists/, buildah's lock file included; the archives lock already serialises
# this whole step between concurrent builds.
# --force-unsafe-io: no fsync per file (the official images set it in dpkg.cfg.d).
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=shared \
    rm -f /etc/apt/apt.conf.d/docker-clean \
 && echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache \
 && apt-get update -qq -o Acquire::Languages=none \
 && apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-unsafe-io \
      g++ cmake ninja-build ccache libboost-dev nlohmann-json3-dev libcli11-dev \
 && rm -rf /var/log/apt /var/log/dpkg.log

FROM toolchain AS build
WORKDIR /src
# Only what the service build reads, so editing shipctl's libraries, tests,
# docs or scripts keeps this stage cached (.dockerignore keeps the context
# small as well).
COPY CMakeLists.txt ./
COPY cmake cmake
COPY src/util src/util
COPY src/server src/server
COPY src/service src/service
COPY apps/CMakeLists.txt apps/
COPY apps/ecs-express-mode-api apps/ecs-express-mode-api
# Compile everything before the build identity is known: a new commit with
# the same sources (the CI case) finds this layer cached, and ccache (cache
# mount) recompiles only the changed files when sources did change.
RUN --mount=type=cache,target=/ccache \
    export CCACHE_DIR=/ccache \
 && cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DEEM_TESTS=OFF -DEEM_SHIPCTL=OFF -DEEM_STATIC=ON \
      -DEEM_GIT_COMMIT=unknown -DEEM_BUILD_TIME=1970-01-01T00:00:00Z \
 && cmake --build /build --target ecs-express-mode-api
# Stamp the identity: regenerates build_info.cpp, recompiles it and relinks.
ARG GIT_COMMIT=unknown
ARG BUILD_TIME=1970-01-01T00:00:00Z
RUN --mount=type=cache,target=/ccache \
    export CCACHE_DIR=/ccache \
 && cmake -B /build -DEEM_GIT_COMMIT="${GIT_COMMIT}" -DEEM_BUILD_TIME="${BUILD_TIME}" \
 && cmake --build /build --target ecs-express-mode-api \
 && install -D -s -m 0755 /build/apps/ecs-express-mode-api /out/ecs-express-mode-api

FROM scratch
ARG GIT_COMMIT=unknown
ARG VERSION=unknown
ARG BUILD_TIME=1970-01-01T00:00:00Z
ARG SOURCE_URL=https://github.com/example/ecs-express-mode-api
LABEL org.opencontainers.image.title="ecs-express-mode-api" \
      org.opencontainers.image.description="HTTP JSON API for Amazon ECS Express Mode" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${GIT_COMMIT}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.created="${BUILD_TIME}"
COPY --from=build /out/ecs-express-mode-api /ecs-express-mode-api
# 65532 is the conventional "nonroot" id of distroless images; numeric, so
# runAsNonRoot-style checks work without an /etc/passwd.
USER 65532:65532
ENV PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/ecs-express-mode-api", "--healthcheck"]
# The service drains on SIGTERM (what ECS sends on stop), the default stop signal.
ENTRYPOINT ["/ecs-express-mode-api"]
