"""Things several journeys share — classes, mentors, exhibitions — each created once, by its first user."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from operator_cli.demo import requests
from operator_cli.demo.api import Api
from operator_cli.demo.model import Exhibition, Mentor, TrainingClass
from operator_cli.demo.plan import Plan
from shared.contracts.topics import MARKETING, MENTORING, TRAINING


class Resources:
    """Things several journeys share, each created once, by whichever journey needs it first."""

    def __init__(self, api: Api, plan: Plan) -> None:
        self.api = api
        self.classes = {c.key: c for c in plan.classes}
        self.mentors = {m.staff_number: m for m in plan.mentors}
        self.exhibitions = {x.key: x for x in plan.exhibitions}
        self.created: dict[str, asyncio.Task[str | None]] = {}

    async def class_id(self, key: str) -> str | None:
        return await self._once(key, lambda: self._create_class(self.classes[key]))

    async def mentor_id(self, staff_number: str) -> str | None:
        return await self._once(staff_number, lambda: self._create_mentor(self.mentors[staff_number]))

    async def exhibition_id(self, key: str) -> str | None:
        return await self._once(key, lambda: self._create_exhibition(self.exhibitions[key]))

    async def _once(self, key: str, create: Callable[[], Awaitable[str | None]]) -> str | None:
        if key not in self.created:
            self.created[key] = asyncio.ensure_future(create())
        return await self.created[key]

    async def _create_class(self, cls: TrainingClass) -> str | None:
        reply = await self.api.post(TRAINING, "/classes", requests.training_class(cls))
        return reply.id_of("class_id")

    async def _create_mentor(self, mentor: Mentor) -> str | None:
        # A mentor of an earlier run with this seed and start: 409 names them, and they are the same mentor.
        reply = await self.api.post(MENTORING, "/mentors", requests.mentor(mentor))
        return str(reply.body["mentor_id"]) if reply.created or reply.code == "duplicate_mentor" else None

    async def _create_exhibition(self, exhibition: Exhibition) -> str | None:
        reply = await self.api.post(MARKETING, "/exhibitions", requests.exhibition(exhibition))
        return reply.id_of("exhibition_id")
