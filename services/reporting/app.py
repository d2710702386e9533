"""The reporting service: consumes every topic into Redis aggregates and serves live figures."""

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis

from services.reporting.api.disclosure import READERS
from services.reporting.api.journey import router as journey_router
from services.reporting.api.routes import StreamSettings, StreamSlots, router
from services.reporting.api.targets import planning
from services.reporting.api.targets import router as targets_router
from services.reporting.change_feed import ChangeFeed
from services.reporting.consumer import ReportingConsumer
from services.reporting.reports.scheduler import scheduled_reports
from services.reporting.settings import ReportingSettings
from services.reporting.store.applier import Applier
from services.reporting.store.figures import Figures
from services.reporting.store.journeys import Journeys
from services.reporting.store.keyspace import Keyspaces
from services.reporting.store.targets import Targets
from services.reporting.targets_publisher import TargetPublisher
from shared.auth.cookie import reader, session_router
from shared.contracts.topics import DEAD_LETTER_TOPIC
from shared.participants.audit import install_area_audit
from shared.web.app import service_app
from shared.web.ops import Checks
from shared.web.refusals import Refusal, refusals

DASHBOARD = Path(__file__).parent / "static" / "index.html"

dashboard = APIRouter(tags=["dashboard"])


@dashboard.get("/", include_in_schema=False)
async def index() -> FileResponse:
    return FileResponse(DASHBOARD, media_type="text/html")


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    redis = Redis.from_url(settings.redis_url, decode_responses=True, health_check_interval=10)
    keyspaces = Keyspaces(settings.keyspace)
    feed = ChangeFeed(redis, keyspaces.changed_channel)
    consumer = ReportingConsumer(
        settings.kafka,
        Applier(redis, keyspaces),
        topics=[settings.kafka.topic(source) for source in settings.sources],
        dead_letter_topic=settings.kafka.topic(DEAD_LETTER_TOPIC),
        group_id=settings.consumer_group,
    )

    reports = scheduled_reports(settings.reports, redis, keyspaces, settings.auth)

    async def start() -> None:
        feed.start()
        if settings.consume:
            consumer.start()
        if reports:
            reports.start()

    publisher = TargetPublisher(settings.kafka)

    async def stop() -> None:
        if reports:
            await reports.stop()
        await publisher.stop()
        await consumer.stop()
        await feed.stop()
        await redis.aclose()

    async def check_redis() -> None:
        await redis.ping()

    # Figures are served from Redis; without Kafka they only stop moving, so Kafka is shown, not required.
    shown = {"kafka": consumer.check_kafka} if settings.consume else {}
    checks = Checks(required={"redis": check_redis}, shown=shown)
    app = service_app(
        title="Jakpreneur reporting",
        auth=settings.auth,
        limits=settings.limits,
        description="Live programme figures (PRODUCT.md §3). Aggregates only: no personal data.",
        start=start,
        stop=stop,
        checks=checks,
        routers=[planning, dashboard, journey_router],  # each route checks its own roles
    )
    install_area_audit(app)
    # No bearer dependency here (the token is the body), so the 401 is not implied by a security scheme.
    bad_token = Refusal(401, "unauthorized", "the token has expired; sign in again")
    not_a_reader = Refusal(403, "forbidden", "this needs the analyst role")
    app.include_router(
        session_router(*READERS),
        responses=refusals(bad_token, not_a_reader),
        max_body_size=settings.limits.max_body_bytes,
    )
    # Figures are aggregates without personal data: for analysts (header or cookie), or public by setting
    # with small cells withheld (api.disclosure).
    reads = [] if settings.public_aggregates else [Depends(reader(*READERS))]
    for figures_router in (router, targets_router):
        app.include_router(figures_router, dependencies=reads)
    app.mount("/static", StaticFiles(directory=DASHBOARD.parent), name="static")
    app.state.figures = Figures(redis, keyspaces)
    app.state.targets = Targets(redis, keyspaces)
    app.state.journeys = Journeys(redis, keyspaces)
    app.state.target_publisher = publisher
    app.state.change_feed = feed
    app.state.public_aggregates = settings.public_aggregates
    app.state.stream_settings = StreamSettings(settings.stream_debounce_ms, settings.min_stream_debounce_ms)
    app.state.stream_slots = StreamSlots(settings.max_streams, settings.max_streams_per_client)
    return app
