"""Exhibitions and showcases (pemasaran): a product shown at a bazaar or exhibition — free of I/O.

A showcase is the fact that reaches the marketing stage. It is dated within its exhibition, not before the
product's or the participant's registration, never in the future; a correction re-dates it under the same
rules, a void withdraws it. One product is shown once per exhibition (voided showcases aside): the database's
unique index settles concurrent requests, the error is defined here. An exhibition scheduled and a product
shown collect their events (shared.aggregates).
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple
from uuid import UUID, uuid4

from services.marketing.domain.product import Product
from shared.aggregates import Aggregate
from shared.contracts.enums import ExhibitionKind, ExhibitionScope
from shared.contracts.events import ExhibitionScheduled, ProductShowcased
from shared.contracts.profile import ParticipantProfile
from shared.corrections import AlreadyVoided, Voided
from shared.corrections.errors import lost_race
from shared.dates import PROGRAMME_START, check_stage_date
from shared.errors import Conflict, DomainError, RuleViolation


class AlreadyShowcased(Conflict):
    code = "already_showcased"


@dataclass(frozen=True)
class ScheduleExhibition:
    title: str
    kind: ExhibitionKind
    scope: ExhibitionScope
    venue: str | None
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class ShowcaseProduct:
    exhibition_id: UUID
    product_id: UUID
    shown_on: date | None


@dataclass(frozen=True)
class Exhibition(Aggregate):
    exhibition_id: UUID
    title: str
    kind: ExhibitionKind
    scope: ExhibitionScope
    venue: str | None
    starts_on: date
    ends_on: date

    def default_day(self, today: date) -> date:
        """Today while the exhibition runs; otherwise its first day (staff record past exhibitions later)."""
        return today if self.starts_on <= today <= self.ends_on else self.starts_on

    def scheduled(self, today: date) -> "Exhibition":
        """This exhibition as newly scheduled: a schedule is no participant's fact, so its event happened
        the day it was recorded."""
        self.collect(self.event(), today)
        return self

    def event(self) -> ExhibitionScheduled:
        return ExhibitionScheduled(
            exhibition_id=self.exhibition_id,
            kind=self.kind,
            scope=self.scope,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
        )


class ShowcaseContext(NamedTuple):
    """What a showcase's date rules and its event need beyond the showcase."""

    exhibition: Exhibition
    product: Product
    profile: ParticipantProfile


@dataclass(frozen=True)
class Showcase(Aggregate):
    showcase_id: UUID
    exhibition_id: UUID
    product_id: UUID
    participant_id: UUID
    shown_on: date
    voided: bool = False  # who voided it, when and why are kept in its row and the correction log

    # shared.corrections.Correctable

    def redate(self, on: date, today: date, context: ShowcaseContext) -> "Showcase":
        """The showcase on its right date, which must pass the rules the original date passed."""
        self.check_not_voided()
        check_shown_on(on, today, context.exhibition, context.product, context.profile)
        return replace(self, shown_on=on)

    def void(self, voided: Voided) -> "Showcase":
        self.check_not_voided()
        return replace(self, voided=True)

    def fact(self, context: ShowcaseContext) -> ProductShowcased:
        return self.event(context.exhibition, context.profile)

    def changed_meanwhile(self, now: "Showcase") -> DomainError:
        return lost_race(self._name, voided=now.voided, on=now.shown_on, showcase_id=str(self.showcase_id))

    def check_not_voided(self) -> None:
        if self.voided:
            raise AlreadyVoided.of(self._name, showcase_id=str(self.showcase_id))

    @property
    def _name(self) -> str:
        return f"showcase {self.showcase_id}"

    def event(self, exhibition: Exhibition, profile: ParticipantProfile) -> ProductShowcased:
        return ProductShowcased(
            showcase_id=self.showcase_id,
            exhibition_id=self.exhibition_id,
            product_id=self.product_id,
            participant_id=self.participant_id,
            scope=exhibition.scope,
            shown_on=self.shown_on,
            profile=profile,
        )


def schedule(command: ScheduleExhibition) -> Exhibition:
    """Schedules may lie in the future; they must make sense and fall within the programme."""
    if command.starts_on < PROGRAMME_START:
        raise RuleViolation(f"starts_on {command.starts_on} is before the programme start {PROGRAMME_START}")
    if command.ends_on < command.starts_on:
        raise RuleViolation(f"ends_on {command.ends_on} is before starts_on {command.starts_on}")
    return Exhibition(
        exhibition_id=uuid4(),
        title=command.title,
        kind=command.kind,
        scope=command.scope,
        venue=command.venue,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
    )


def show(
    command: ShowcaseProduct,
    exhibition: Exhibition,
    product: Product,
    profile: ParticipantProfile,
    today: date,
) -> Showcase:
    shown_on = command.shown_on or exhibition.default_day(today)
    check_shown_on(shown_on, today, exhibition, product, profile)
    showcase = Showcase(
        showcase_id=uuid4(),
        exhibition_id=exhibition.exhibition_id,
        product_id=product.product_id,
        participant_id=product.participant_id,
        shown_on=shown_on,
    )
    showcase.collect(showcase.event(exhibition, profile), shown_on)
    return showcase


def check_shown_on(
    shown_on: date, today: date, exhibition: Exhibition, product: Product, profile: ParticipantProfile
) -> None:
    if not exhibition.starts_on <= shown_on <= exhibition.ends_on:
        raise RuleViolation(
            f"shown_on {shown_on} is outside the exhibition "
            f"({exhibition.starts_on.isoformat()}..{exhibition.ends_on.isoformat()})"
        )
    if problem := check_stage_date("shown_on", shown_on, today, profile.registered_on):
        raise RuleViolation(problem)
    product.check_on_or_after_registration("shown_on", shown_on)
