# The petpixel binary, with the web app and the game templates embedded, in a small image that runs
# as a user of its own. Used by docker-compose.yml. The build runs `cargo xtask`'s own steps (the
# web app, the game templates, the server's release build); an xtask test fails when they drift.
FROM rust:1.95.0-bookworm AS build
# npm: xtask takes binaryen's wasm-opt from the npm registry; it installs the wasm-bindgen-cli
# that Cargo.lock pins and the WASM splitter itself.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/* \
 && rustup target add wasm32-unknown-unknown
WORKDIR /src
COPY . .
ENV CARGO_TARGET_DIR=/src/target
RUN cargo xtask build-frontend
RUN cargo xtask build-games
RUN cargo build --release --locked --package petpixel-server --bin petpixel

FROM debian:bookworm-slim
# libheif-examples: heif-convert, which turns the HEIC photos phones send into thumbnails.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libheif-examples && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home petpixel \
 && mkdir -p /data && chown petpixel:petpixel /data
COPY --from=build /src/target/release/petpixel /usr/local/bin/petpixel
USER petpixel
ENV PETPIXEL_BIND=0.0.0.0:3000 PETPIXEL_DATA_DIR=/data
VOLUME /data
EXPOSE 3000
CMD ["petpixel", "serve"]
