"""Request and response bodies of the marketing API (contract v1, PRODUCT.md §4)."""

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator

from services.marketing.api.docs import (
    CURATION_ID,
    EXHIBITION_ID,
    LISTING_ID,
    PARTICIPANT_ID,
    PRODUCT_ID,
    SHOWCASE_ID,
)
from services.marketing.commands import (
    Criterion,
    CurateProduct,
    ListProduct,
    RegisterProduct,
    ScheduleExhibition,
    ShowcaseProduct,
)
from services.marketing.domain.exhibition import Exhibition, Showcase
from services.marketing.domain.product import Curation, Listing, Product
from shared.contracts.enums import CurationLevel, ExhibitionKind, ExhibitionScope, Sector

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CriterionName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
TODAY = "Defaults to today (Asia/Jakarta)"


def _examples(*examples: dict[str, Any]) -> dict[str, Any]:
    return {"examples": list(examples)}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Products


class ProductIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_examples(
            {
                "participant_id": PARTICIPANT_ID,
                "name": "Keripik Tempe Sagu",
                "sector": "kuliner",
                "registered_on": "2023-06-01",
            }
        ),
    )

    participant_id: UUID = Field(description="A participant registration has told this service of")
    name: Name = Field(description="The product's trade name: kept here, never published")
    sector: Sector | None = Field(
        default=None, description="Defaults to the business sector the participant declared at registration"
    )
    registered_on: date | None = Field(
        default=None,
        description=f"Not before the participant's registration nor 2018-01-01, not in the future. {TODAY}",
    )

    def to_command(self) -> RegisterProduct:
        return RegisterProduct(self.participant_id, self.name, self.sector, self.registered_on)


class CriterionIn(Strict):
    name: CriterionName = Field(examples=["Kemasan"])
    score: int = Field(ge=0, le=100, examples=[85])


class CurationIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_examples(
            {
                "level": "kecamatan",
                "passed": True,
                "criteria": [
                    {"name": "Rasa", "score": 88},
                    {"name": "Kemasan", "score": 75},
                    {"name": "Perizinan", "score": 90},
                ],
                "notes": "Label belum mencantumkan tanggal kedaluwarsa.",
                "curated_on": "2023-07-10",
            }
        ),
    )

    level: CurationLevel = Field(description="Climbs kecamatan → kota → province")
    passed: StrictBool = Field(description="The curators' verdict")
    criteria: list[CriterionIn] = Field(
        min_length=1, max_length=10, description="What was judged: 1 to 10 criteria with distinct names"
    )
    notes: Notes | None = Field(default=None, description="The curators' remarks: kept here, never published")
    curated_on: date | None = Field(
        default=None,
        description="Not before the product's registration nor the lower level's passing, not in the "
        f"future. {TODAY}",
    )

    @field_validator("criteria")
    @classmethod
    def _distinct_names(cls, criteria: list[CriterionIn]) -> list[CriterionIn]:
        seen: set[str] = set()
        for criterion in criteria:
            key = criterion.name.casefold()
            if key in seen:
                raise ValueError(f"criterion {criterion.name!r} is given more than once")
            seen.add(key)
        return criteria

    def to_command(self, product_id: UUID) -> CurateProduct:
        criteria = tuple(Criterion(c.name, c.score) for c in self.criteria)
        return CurateProduct(
            product_id, self.level, self.passed, criteria, self.notes or None, self.curated_on
        )


class ListingIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_examples({"listed_on": "2023-09-01"}))

    listed_on: date | None = Field(
        default=None, description=f"Not before the product passed kota curation, not in the future. {TODAY}"
    )

    def to_command(self, product_id: UUID) -> ListProduct:
        return ListProduct(product_id, self.listed_on)


class CriterionOut(BaseModel):
    name: str
    score: int


class CurationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "curation_id": CURATION_ID,
                "product_id": PRODUCT_ID,
                "level": "kecamatan",
                "passed": True,
                "criteria": [{"name": "Rasa", "score": 88}, {"name": "Kemasan", "score": 75}],
                "notes": "Label belum mencantumkan tanggal kedaluwarsa.",
                "curated_on": "2023-07-10",
            }
        )
    )

    curation_id: UUID
    product_id: UUID
    level: CurationLevel
    passed: bool
    criteria: list[CriterionOut]
    notes: str | None
    curated_on: date

    @classmethod
    def of(cls, c: Curation) -> "CurationOut":
        criteria = [CriterionOut(name=x.name, score=x.score) for x in c.criteria]
        return cls(**{**vars(c), "criteria": criteria})


class ListingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"listing_id": LISTING_ID, "product_id": PRODUCT_ID, "listed_on": "2023-09-01"}
        )
    )

    listing_id: UUID
    product_id: UUID
    listed_on: date

    @classmethod
    def of(cls, listing: Listing) -> "ListingOut":
        return cls(**vars(listing))


class ProductOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "product_id": PRODUCT_ID,
                "participant_id": PARTICIPANT_ID,
                "name": "Keripik Tempe Sagu",
                "sector": "kuliner",
                "registered_on": "2023-06-01",
                "curation_level": None,
                "curations": [],
                "listing": None,
            }
        )
    )

    product_id: UUID
    participant_id: UUID
    name: str
    sector: Sector | None
    registered_on: date
    curation_level: CurationLevel | None = Field(description="The highest level passed; null if none yet")
    curations: list[CurationOut] = Field(description="Every curation, failed ones too, in recorded order")
    listing: ListingOut | None = Field(description="The e-Order listing, if listed")

    @classmethod
    def of(cls, p: Product) -> "ProductOut":
        return cls(
            product_id=p.product_id,
            participant_id=p.participant_id,
            name=p.name,
            sector=p.sector,
            registered_on=p.registered_on,
            curation_level=p.curation_level,
            curations=[CurationOut.of(c) for c in p.curations],
            listing=ListingOut.of(p.listing) if p.listing else None,
        )


class ProductPage(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


# Exhibitions and showcases


class ExhibitionIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_examples(
            {
                "title": "Jakpreneur Fest 2023",
                "kind": "bazaar",
                "scope": "national",
                "venue": "Lapangan Banteng",
                "starts_on": "2023-08-01",
                "ends_on": "2023-08-05",
            }
        ),
    )

    title: Name
    kind: ExhibitionKind
    scope: ExhibitionScope
    venue: Name | None = None
    starts_on: date = Field(description="Not before 2018-01-01; schedules may lie in the future")
    ends_on: date = Field(description="Not before starts_on")

    def to_command(self) -> ScheduleExhibition:
        return ScheduleExhibition(self.title, self.kind, self.scope, self.venue, self.starts_on, self.ends_on)


class ExhibitionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "exhibition_id": EXHIBITION_ID,
                "title": "Jakpreneur Fest 2023",
                "kind": "bazaar",
                "scope": "national",
                "venue": "Lapangan Banteng",
                "starts_on": "2023-08-01",
                "ends_on": "2023-08-05",
            }
        )
    )

    exhibition_id: UUID
    title: str
    kind: ExhibitionKind
    scope: ExhibitionScope
    venue: str | None
    starts_on: date
    ends_on: date

    @classmethod
    def of(cls, e: Exhibition) -> "ExhibitionOut":
        return cls(**vars(e))


class ExhibitionPage(BaseModel):
    items: list[ExhibitionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class ShowcaseIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_examples({"product_id": PRODUCT_ID, "shown_on": "2023-08-02"}),
    )

    product_id: UUID
    shown_on: date | None = Field(
        default=None,
        description="Within the exhibition's dates, not before the product's or the participant's "
        "registration, not in the future. Defaults to today (Asia/Jakarta) while the exhibition runs, "
        "otherwise to its first day",
    )

    def to_command(self, exhibition_id: UUID) -> ShowcaseProduct:
        return ShowcaseProduct(exhibition_id, self.product_id, self.shown_on)


class ShowcaseOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "showcase_id": SHOWCASE_ID,
                "exhibition_id": EXHIBITION_ID,
                "product_id": PRODUCT_ID,
                "participant_id": PARTICIPANT_ID,
                "shown_on": "2023-08-02",
                "voided": False,
            }
        )
    )

    showcase_id: UUID
    exhibition_id: UUID
    product_id: UUID
    participant_id: UUID
    shown_on: date
    voided: bool = Field(description="Recorded by mistake: kept for the record, counted nowhere")

    @classmethod
    def of(cls, s: Showcase) -> "ShowcaseOut":
        return cls(**vars(s))


class ShowcasePage(BaseModel):
    items: list[ShowcaseOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class ProductDetailOut(ProductOut):
    model_config = ConfigDict(
        json_schema_extra=_examples(
            {
                "product_id": PRODUCT_ID,
                "participant_id": PARTICIPANT_ID,
                "name": "Keripik Tempe Sagu",
                "sector": "kuliner",
                "registered_on": "2023-06-01",
                "curation_level": "kota",
                "curations": [
                    {
                        "curation_id": CURATION_ID,
                        "product_id": PRODUCT_ID,
                        "level": "kecamatan",
                        "passed": True,
                        "criteria": [{"name": "Rasa", "score": 88}],
                        "notes": None,
                        "curated_on": "2023-07-10",
                    },
                    {
                        "curation_id": "4f5e6d7c-8b9a-4a0b-9c1d-2e3f4a5b6c7d",
                        "product_id": PRODUCT_ID,
                        "level": "kota",
                        "passed": True,
                        "criteria": [{"name": "Rasa", "score": 91}],
                        "notes": None,
                        "curated_on": "2023-08-20",
                    },
                ],
                "listing": {"listing_id": LISTING_ID, "product_id": PRODUCT_ID, "listed_on": "2023-09-01"},
                "showcases": [
                    {
                        "showcase_id": SHOWCASE_ID,
                        "exhibition_id": EXHIBITION_ID,
                        "product_id": PRODUCT_ID,
                        "participant_id": PARTICIPANT_ID,
                        "shown_on": "2023-08-02",
                        "voided": False,
                    }
                ],
            }
        )
    )

    showcases: list[ShowcaseOut] = Field(description="Every showcase of the product, voided ones too")

    @classmethod
    def with_showcases(cls, p: Product, shown: list[Showcase]) -> "ProductDetailOut":
        return cls(**ProductOut.of(p).model_dump(), showcases=[ShowcaseOut.of(s) for s in shown])
