# One image for both roles: `almanac serve` (default) and `almanac worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# Dependencies first (cached while only the code changes).
COPY pyproject.toml README.md ./
COPY server server
COPY schema schema
COPY resolvers resolvers
COPY dataloaders dataloaders
COPY db db
COPY jobs jobs
COPY migrations migrations
RUN pip install . && useradd --system --home-dir /app --shell /usr/sbin/nologin almanac \
 && mkdir -p /app/attachments /app/data && chown almanac /app/attachments /app/data

# The user's home (/app) is root's: without these the defaults (~/.almanac, ~/.almanac/attachments)
# are not writable, and the first attachment upload fails unless ALMANAC_STORAGE_DIR is set (compose
# sets it; `docker run` did not). The data dir holds the embedded PostgreSQL/Redis without DATABASE_URL.
ENV ALMANAC_DATA_DIR=/app/data ALMANAC_STORAGE_DIR=/app/attachments

USER almanac
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"
CMD ["almanac", "serve", "--host", "0.0.0.0", "--port", "8000"]
