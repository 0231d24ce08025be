# awslet container image: build on Debian bookworm, run on bookworm-slim as a non-root user.
#
#   docker build -t awslet .
#   docker run --rm -p 4566:4566 -v awslet-data:/var/lib/awslet awslet
#
# Every flag has an AWSLET_* environment variable (README.md); arguments after the image
# name go to awslet, e.g. `docker run -p 4566:4566 awslet --in-memory --log-level debug`.

# ---- build ----------------------------------------------------------------------------------
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config ca-certificates \
        libmicrohttpd-dev libjansson-dev libsqlite3-dev uuid-dev libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DAWSLET_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" --target awslet \
 && strip /build/awslet \
 && /build/awslet --version

# ---- run ------------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libmicrohttpd12 libjansson4 libsqlite3-0 libuuid1 libssl3 zlib1g ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system awslet \
 && useradd --system --gid awslet --home-dir /var/lib/awslet --shell /usr/sbin/nologin awslet \
 && mkdir -p /var/lib/awslet \
 && chown awslet:awslet /var/lib/awslet
COPY --from=build /build/awslet /usr/local/bin/awslet
COPY LICENSE /usr/share/doc/awslet/LICENSE

ENV AWSLET_HOST=0.0.0.0 \
    AWSLET_DATA_DIR=/var/lib/awslet
USER awslet
WORKDIR /var/lib/awslet
VOLUME /var/lib/awslet
EXPOSE 4566
HEALTHCHECK --interval=10s --timeout=3s --start-period=2s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${AWSLET_PORT:-4566}/_awslet/health" || exit 1
ENTRYPOINT ["awslet"]
