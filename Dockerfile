# The petpixel binary, with the web app embedded, in a small image. Used by docker-compose.yml.
FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN rustup target add wasm32-unknown-unknown && cargo install wasm-bindgen-cli --version 0.2.130
COPY . .
RUN cargo xtask build-frontend && cargo build --release --locked --package petpixel-server --bin petpixel

FROM debian:bookworm-slim
# libheif-examples: heif-convert, which turns the HEIC photos phones send into thumbnails.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libheif-examples && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/petpixel /usr/local/bin/petpixel
ENV PETPIXEL_BIND=0.0.0.0:3000 PETPIXEL_DATA_DIR=/data
VOLUME /data
EXPOSE 3000
CMD ["petpixel", "serve"]
