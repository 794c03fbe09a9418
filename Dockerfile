# watcher in a container: the daemon with its web pages (docs/web.md#container).
# Build: docker build -t watcher .   Run: see compose.yaml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY watcher ./watcher
COPY config ./config
RUN pip install '.[postgres]' && rm -rf /src

# A user without a login shell or a home worth attacking; the state (SQLite database, session
# secret) lives on the volume.
RUN useradd --system --uid 10001 --home-dir /var/lib/watcher --shell /usr/sbin/nologin watcher \
    && mkdir -p /var/lib/watcher /etc/watcher \
    && chown watcher:watcher /var/lib/watcher
VOLUME ["/var/lib/watcher"]

# The config file is mounted at /etc/watcher/watcher.toml; these defaults make the daemon
# serve its pages on the container's port 8750. Listening beyond loopback needs
# [web] password_hash or token_hash (`watcher serve --hash-password`), else it refuses to start.
ENV WATCHER_STATE_DIR=/var/lib/watcher \
    WATCHER_WEB__ENABLED=true \
    WATCHER_WEB__LISTEN=0.0.0.0:8750
EXPOSE 8750

USER watcher
WORKDIR /var/lib/watcher
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["watcher", "status"]
CMD ["watcher", "run"]
