# One image for every service: compose and Kubernetes pick the service by command
# (`python -m services.<name>`, `python -m services.<name> migrate`, `python -m operator_cli.main`).

# Stage 1: the dependencies, exactly as pinned and hashed in requirements.lock (uv pip compile pyproject.toml,
# see its header), into a virtualenv that the runtime stage copies whole.
FROM python:3.11-slim AS dependencies
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps --only-binary=:all: -r /tmp/requirements.lock

# Stage 2: the virtualenv and the code, owned by root and run by an unprivileged user, so a compromised
# process can change neither.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH PYTHONPATH=/app
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent app
COPY --from=dependencies /opt/venv /opt/venv
WORKDIR /app
COPY shared ./shared
COPY services ./services
COPY devstack ./devstack
COPY operator_cli ./operator_cli
USER 10001:10001
EXPOSE 8001 8002 8003 8004 8005 8006 8007
CMD ["python", "-m", "services.registration"]
