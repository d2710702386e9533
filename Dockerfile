# One image for every service; the compose file picks the service with `command`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY devstack ./devstack
COPY operator_cli ./operator_cli
RUN pip install --no-cache-dir .
RUN useradd --create-home --uid 10001 app
USER app
EXPOSE 8001 8002 8003 8004
CMD ["python", "-m", "services.registration"]
