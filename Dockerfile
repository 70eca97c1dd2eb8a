# Build: the distributed binary (the `dist` profile: whole-program LTO).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --profile dist --locked --bin ciam

# Run: no shell, no package manager, non-root.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/dist/ciam /usr/local/bin/ciam
ENV CIAM_BIND=0.0.0.0:8080 \
    CIAM_DATA_DIR=/data
EXPOSE 8080
VOLUME /data
USER nonroot
ENTRYPOINT ["/usr/local/bin/ciam"]
CMD ["serve"]
