"""Products (pemasaran): registering a participant's product, curating it, listing it on e-Order; no I/O.

Curation climbs kecamatan → kota → province: a level may be curated once the level below has passed, and not
again once it has passed itself (a failed curation may be retried). A product goes on the e-Order catalogue
once, and only after passing curation at kota level or higher. Rules that concurrent requests could break
(one passing per level, one listing per product) are settled by the database; their errors are defined here.
A product registered, curated or listed collects its event (shared.aggregates).
"""

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

from shared.aggregates import Aggregate
from shared.contracts.enums import CurationLevel, Sector
from shared.contracts.events import ProductCurated, ProductListed, ProductRegistered
from shared.contracts.profile import ParticipantProfile
from shared.dates import check_stage_date
from shared.decisions import InvalidTransition
from shared.errors import Conflict, RuleViolation

CLIMB = (CurationLevel.KECAMATAN, CurationLevel.KOTA, CurationLevel.PROVINCE)
LISTING_LEVEL = CurationLevel.KOTA  # e-Order takes products curated by the kota or the province


class AlreadyCurated(Conflict):
    code = "already_curated"


class AlreadyListed(Conflict):
    code = "already_listed"


class NotCurated(Conflict):
    """Listing a product that has not passed curation at kota level or higher."""

    code = "not_curated"


@dataclass(frozen=True)
class RegisterProduct:
    participant_id: UUID
    name: str
    sector: Sector | None
    registered_on: date | None


@dataclass(frozen=True)
class Criterion:
    name: str
    score: int


@dataclass(frozen=True)
class CurateProduct:
    product_id: UUID
    level: CurationLevel
    passed: bool
    criteria: tuple[Criterion, ...]
    notes: str | None
    curated_on: date | None


@dataclass(frozen=True)
class ListProduct:
    product_id: UUID
    listed_on: date | None


@dataclass(frozen=True)
class Curation:
    curation_id: UUID
    product_id: UUID
    level: CurationLevel
    passed: bool
    criteria: tuple[Criterion, ...]
    notes: str | None
    curated_on: date


@dataclass(frozen=True)
class Listing(Aggregate):
    listing_id: UUID
    product_id: UUID
    listed_on: date


@dataclass(frozen=True)
class Product(Aggregate):
    product_id: UUID
    participant_id: UUID
    name: str
    sector: Sector | None
    registered_on: date
    curations: tuple[Curation, ...] = ()  # in the order they were recorded
    listing: Listing | None = None

    @property
    def curation_level(self) -> CurationLevel | None:
        """The highest level passed, or None."""
        passed = [level for level in CLIMB if self.passed_on(level)]
        return passed[-1] if passed else None

    def passed_on(self, level: CurationLevel) -> date | None:
        return next((c.curated_on for c in self.curations if c.level is level and c.passed), None)

    def curate(
        self, command: CurateProduct, profile: ParticipantProfile, today: date
    ) -> tuple["Product", Curation]:
        """A curation at the next level up (or a retry of a failed one), dated after what it builds on;
        returned with the product as it stands after it, which collects the curation's event."""
        self._check_climb(command.level)
        curated_on = command.curated_on or today
        self._check_date("curated_on", curated_on, today, profile)
        below = _level_below(command.level)
        passed_below = self.passed_on(below) if below else None
        if passed_below and curated_on < passed_below:
            raise RuleViolation(
                f"curated_on {curated_on} is before the product passed {below} curation on {passed_below}"
            )
        curation = Curation(
            curation_id=uuid4(),
            product_id=self.product_id,
            level=command.level,
            passed=command.passed,
            criteria=command.criteria,
            notes=command.notes,
            curated_on=curated_on,
        )
        curated = replace(self, curations=(*self.curations, curation))
        curated.collect(curated.curated_event(curation, profile), curated_on)
        return curated, curation

    def list_on_eorder(self, command: ListProduct, profile: ParticipantProfile, today: date) -> Listing:
        """The product's one e-Order listing, dated after it passed kota curation; it collects its event."""
        if self.listing is not None:
            raise AlreadyListed(
                f"product {self.product_id} is already listed (on {self.listing.listed_on})",
                listing_id=str(self.listing.listing_id),
            )
        curated_on = self.passed_on(LISTING_LEVEL)
        if curated_on is None:
            raise NotCurated(
                f"product {self.product_id} has not passed {LISTING_LEVEL} curation: e-Order lists only "
                "products curated at kota level or higher",
                product_id=str(self.product_id),
            )
        listed_on = command.listed_on or today
        self._check_date("listed_on", listed_on, today, profile)
        if listed_on < curated_on:
            raise RuleViolation(
                f"listed_on {listed_on} is before the product passed {LISTING_LEVEL} curation on {curated_on}"
            )
        listing = Listing(listing_id=uuid4(), product_id=self.product_id, listed_on=listed_on)
        listing.collect(self.listed_event(listing, profile), listed_on)
        return listing

    def check_on_or_after_registration(self, field: str, day: date) -> None:
        if day < self.registered_on:
            raise RuleViolation(f"{field} {day} is before the product was registered on {self.registered_on}")

    def event(self, profile: ParticipantProfile) -> ProductRegistered:
        return ProductRegistered(
            product_id=self.product_id,
            participant_id=self.participant_id,
            registered_on=self.registered_on,
            profile=profile,
        )

    def curated_event(self, curation: Curation, profile: ParticipantProfile) -> ProductCurated:
        return ProductCurated(
            curation_id=curation.curation_id,
            product_id=self.product_id,
            participant_id=self.participant_id,
            level=curation.level,
            passed=curation.passed,
            curated_on=curation.curated_on,
            profile=profile,
        )

    def listed_event(self, listing: Listing, profile: ParticipantProfile) -> ProductListed:
        return ProductListed(
            listing_id=listing.listing_id,
            product_id=self.product_id,
            participant_id=self.participant_id,
            listed_on=listing.listed_on,
            profile=profile,
        )

    def _check_climb(self, level: CurationLevel) -> None:
        if self.passed_on(level):
            raise AlreadyCurated(
                f"product {self.product_id} already passed {level} curation", level=level.value
            )
        below = _level_below(level)
        if below and not self.passed_on(below):
            raise InvalidTransition(
                f"product {self.product_id} must pass {below} curation before {level} curation",
                level=level.value,
                required=below.value,
            )

    def _check_date(self, field: str, day: date, today: date, profile: ParticipantProfile) -> None:
        if problem := check_stage_date(field, day, today, profile.registered_on):
            raise RuleViolation(problem)
        self.check_on_or_after_registration(field, day)


def register(command: RegisterProduct, profile: ParticipantProfile, today: date) -> Product:
    """A participant's product, collecting its event; its sector defaults to the business sector they
    declared at registration."""
    registered_on = command.registered_on or today
    if problem := check_stage_date("registered_on", registered_on, today, profile.registered_on):
        raise RuleViolation(problem)
    product = Product(
        product_id=uuid4(),
        participant_id=command.participant_id,
        name=command.name,
        sector=command.sector or profile.sector,
        registered_on=registered_on,
    )
    product.collect(product.event(profile), registered_on)
    return product


def _level_below(level: CurationLevel) -> CurationLevel | None:
    index = CLIMB.index(level)
    return CLIMB[index - 1] if index else None
