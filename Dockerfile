# Sluice in a container beside Kafka: one JSON file per connector under
# /etc/sluice/connectors, Kafka from SLUICE_BOOTSTRAP_SERVERS.
#   docker build -t sluice .
#   docker run -e SLUICE_BOOTSTRAP_SERVERS=kafka:9092 -v $PWD/connectors:/etc/sluice/connectors sluice
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/sluice ./cmd/sluice

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sluice /usr/local/bin/sluice
USER nonroot
# Kafka Connect's REST paths and /metrics on Kafka Connect's port.
ENV SLUICE_LISTENERS=http://:8083
EXPOSE 8083
# SIGTERM drains, flushes and commits the final offset within 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/sluice", "run", "/etc/sluice/connectors"]
