# plenary: a slim image running `plenary run` as a non-root user, SQLite data in a volume.
#   docker build -t plenary .
#   docker run --env-file .env -v plenary-data:/data -p 3000:3000 plenary
#   (several replicas on PostgreSQL: docker-compose.yml and docs/deploy.md)
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY config ./config
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 plenary \
    && mkdir /data && chown plenary:plenary /data
COPY --from=build /wheels /wheels
# matrix-nio[e2e] needs no compiler or system library: vodozemac comes as a manylinux wheel and
# atomicwrites (pure Python) is built into a wheel above. The check fails the build, rather than
# the first encrypted room, if encryption did not come with it.
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && python -c "import sys, nio.crypto; sys.exit(not nio.crypto.ENCRYPTION_ENABLED)"
USER plenary
WORKDIR /data
VOLUME ["/data"]
# The Matrix encryption keys (PLENARY_MATRIX_STORE_PATH) default to /data/plenary-matrix-store,
# beside the database in the volume: both must survive the container.
ENV PLENARY_DATABASE_URL=sqlite+aiosqlite:////data/plenary.db \
    PYTHONUNBUFFERED=1
# Slack's Events API (HTTP transport); unused with Socket Mode or Matrix only.
EXPOSE 3000
# The ops server: /metrics, /healthz, /readyz (PLENARY_OPS_PORT).
EXPOSE 9180
# No curl in the slim image: urllib raises on a 503 (database down, adapter not connected).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:9180/readyz', timeout=3)"]
ENTRYPOINT ["plenary"]
CMD ["run"]
