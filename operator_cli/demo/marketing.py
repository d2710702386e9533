"""Products, their curation (kecamatan → kota → province), and where they are shown.

Bazaars take products curated at kecamatan level, exhibitions those passed by the kota, international ones
those passed by the province. About 2 % of the registered end up with a product shown (PRODUCT.md §1:
376 products marketed for 18,183 registered).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from operator_cli.demo.days import IDUL_FITRI, between, later_workday, workday
from operator_cli.demo.model import Curation, Exhibition, Period, Person, Product, Showing
from operator_cli.demo.training import short_name
from shared.contracts.enums import CurationLevel, ExhibitionKind, ExhibitionScope, Sector
from shared.regions import jakarta

PRODUCT_RATE = {
    Sector.KULINER: 0.1,
    Sector.KRIYA: 0.12,
    Sector.FESYEN: 0.09,
    Sector.AGRIBISNIS: 0.06,
    Sector.INDUSTRI: 0.05,
}
DEFAULT_PRODUCT_RATE = 0.02
SECOND_PRODUCT = 0.15


@dataclass(frozen=True)
class Step:
    level: CurationLevel
    attempt: float  # chance of being put forward, once the level below passed
    median_days: float  # after the level below passed (or the product was registered)
    passed: float


CLIMB = (
    Step(CurationLevel.KECAMATAN, 0.9, 21, 0.85),
    Step(CurationLevel.KOTA, 0.8, 45, 0.75),
    Step(CurationLevel.PROVINCE, 0.5, 90, 0.6),
)
RETRY_FAILED = 0.5
# What a product passed qualifies it for, and how keen its owner is to show it there.
SHOWN_AT = {
    CurationLevel.KECAMATAN: ((ExhibitionKind.BAZAAR, ExhibitionScope.NATIONAL), 0.3),
    CurationLevel.KOTA: ((ExhibitionKind.EXHIBITION, ExhibitionScope.NATIONAL), 0.5),
    CurationLevel.PROVINCE: ((ExhibitionKind.EXHIBITION, ExhibitionScope.INTERNATIONAL), 0.5),
}
LISTED = 0.6  # of the products passed by the kota: on the e-Order catalogue

GOODS = {
    Sector.KULINER: (
        "Keripik Tempe",
        "Sambal Bawang",
        "Kue Kering",
        "Kopi Bubuk",
        "Rendang Kemasan",
        "Dodol",
    ),
    Sector.FESYEN: ("Batik Betawi", "Hijab Motif Ondel-ondel", "Kemeja Batik", "Tas Rajut"),
    Sector.KRIYA: ("Miniatur Ondel-ondel", "Anyaman Bambu", "Kerajinan Kulit", "Lukisan Kaca"),
    Sector.AGRIBISNIS: ("Sayur Hidroponik", "Madu Hutan", "Bibit Tanaman Hias"),
    Sector.INDUSTRI: ("Sabun Herbal", "Sandal Kulit", "Lilin Aromaterapi"),
}
DEFAULT_GOODS = ("Paket Hampers", "Suvenir Khas Jakarta")
FOOD_CRITERIA = ("Rasa", "Kemasan", "Label dan Perizinan", "Kebersihan", "Harga")
CRITERIA = ("Kualitas", "Desain", "Kemasan", "Harga", "Kapasitas Produksi")
BAZAAR_VENUES = (
    "Lapangan Banteng",
    "Taman Ismail Marzuki",
    "Kota Tua",
    "Balai Kota DKI Jakarta",
    "Taman Suropati",
)


@dataclass(frozen=True)
class Fair:
    month: int
    title: str
    scope: ExhibitionScope
    venue: str
    first_day: tuple[int, int]  # the range of days of the month it opens on
    days: int


YEARLY = (
    Fair(4, "INACRAFT", ExhibitionScope.INTERNATIONAL, "Jakarta Convention Center", (1, 21), 5),
    Fair(6, "Jakarta Fair", ExhibitionScope.NATIONAL, "JIExpo Kemayoran", (9, 14), 32),
    Fair(10, "Trade Expo Indonesia", ExhibitionScope.INTERNATIONAL, "ICE BSD", (6, 21), 5),
)
BAZAAR, EXHIBITION, NATIONAL = ExhibitionKind.BAZAAR, ExhibitionKind.EXHIBITION, ExhibitionScope.NATIONAL


def calendar(rng: random.Random, period: Period) -> list[Exhibition]:
    """Monthly bazaars across the kota, a Ramadan bazaar and the yearly fairs that overlap the period."""
    drafts: list[tuple[str, ExhibitionKind, ExhibitionScope, str, date, int]] = []
    kota = [k.code for k in jakarta().kota]
    month = date(period.start.year, period.start.month, 1)
    while month <= period.end:
        for _ in range(rng.randint(2, 3)):
            title = f"Bazar UMKM Jakpreneur {short_name(rng.choice(kota))}"
            start = workday(month + timedelta(days=rng.randint(0, 24)))
            drafts.append((title, BAZAAR, NATIONAL, rng.choice(BAZAAR_VENUES), start, rng.randint(2, 4)))
        for fair in (f for f in YEARLY if f.month == month.month):
            start = month.replace(day=rng.randint(*fair.first_day))
            drafts.append(
                (f"{fair.title} {month.year}", EXHIBITION, fair.scope, fair.venue, start, fair.days)
            )
        lebaran = IDUL_FITRI.get(month.year)
        if lebaran is not None and (lebaran.year, lebaran.month) == (month.year, month.month):
            title = f"Bazar Ramadan Jakpreneur {month.year}"
            drafts.append((title, BAZAAR, NATIONAL, "Lapangan Banteng", lebaran - timedelta(days=20), 14))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    events: list[Exhibition] = []
    for title, kind, scope, venue, start, days in drafts:
        ends_on = start + timedelta(days=days - 1)
        if ends_on >= period.start and start <= period.end:
            events.append(Exhibition(f"X{len(events) + 1:04d}", title, kind, scope, venue, start, ends_on))
    return events


class MarketingPlanner:
    def __init__(self, rng: random.Random, period: Period, exhibitions: list[Exhibition]) -> None:
        self.rng = rng
        self.period = period
        self.exhibitions = sorted(exhibitions, key=lambda x: (x.starts_on, x.key))

    def products(self, person: Person, drive: float) -> tuple[Product, ...]:
        rng = self.rng
        if (
            person.sector is None
            or rng.random() >= PRODUCT_RATE.get(person.sector, DEFAULT_PRODUCT_RATE) * drive
        ):
            return ()
        made = []
        registered_on = later_workday(rng, person.registered_on, 45, 0.9)
        goods = GOODS.get(person.sector, DEFAULT_GOODS)
        for name in rng.sample(goods, 2 if rng.random() < SECOND_PRODUCT else 1):
            if registered_on > self.period.end:
                break
            made.append(self.product(f"{name} {person.full_name.split()[0]}", person.sector, registered_on))
            registered_on = later_workday(rng, registered_on, 60)
        return tuple(made)

    def product(self, name: str, sector: Sector, registered_on: date) -> Product:
        rng = self.rng
        curations: list[Curation] = []
        showings: list[Showing] = []
        ready_on, listed_on = registered_on, None
        for step in CLIMB:
            if rng.random() >= step.attempt:
                break
            passed_on = self.curate(step, sector, ready_on, curations)
            if passed_on is None:
                break
            ready_on = passed_on
            (kind, scope), keen = SHOWN_AT[step.level]
            if rng.random() < keen:
                showings += self.show(kind, scope, passed_on, {s.exhibition_key for s in showings})
            if step.level is CurationLevel.KOTA and rng.random() < LISTED:
                day = later_workday(rng, passed_on, 20)
                listed_on = day if day <= self.period.end else None
        return Product(name, sector, registered_on, tuple(curations), tuple(showings), listed_on)

    def curate(self, step: Step, sector: Sector, after: date, done: list[Curation]) -> date | None:
        """One level, with one retry after a failure; the day it passed, or None."""
        curated_on = later_workday(self.rng, after, step.median_days)
        for attempt in range(2):
            if curated_on > self.period.end or (attempt and self.rng.random() >= RETRY_FAILED):
                return None
            passed = self.rng.random() < step.passed
            done.append(Curation(step.level, passed, self.criteria(sector, passed), curated_on))
            if passed:
                return curated_on
            curated_on = later_workday(self.rng, curated_on, 45)
        return None

    def criteria(self, sector: Sector, passed: bool) -> tuple[tuple[str, int], ...]:
        names = self.rng.sample(
            FOOD_CRITERIA if sector is Sector.KULINER else CRITERIA, self.rng.randint(3, 5)
        )
        scores = [self.rng.randint(65, 95) if passed else self.rng.randint(45, 80) for _ in names]
        if not passed:
            scores[0] = self.rng.randint(30, 59)  # the weak point the curators name
        return tuple(zip(names, scores, strict=True))

    def show(
        self, kind: ExhibitionKind, scope: ExhibitionScope, ready_on: date, shown: set[str]
    ) -> list[Showing]:
        """One or two of the next fitting events after the product qualified, on a day it was open."""
        fitting = [
            x
            for x in self.exhibitions
            if (x.kind, x.scope) == (kind, scope) and x.key not in shown and x.ends_on >= ready_on
            and max(x.starts_on, ready_on) <= self.period.end
        ]  # fmt: skip
        return [
            Showing(x.key, between(self.rng, max(x.starts_on, ready_on), min(x.ends_on, self.period.end)))
            for x in fitting[: self.rng.choice((1, 1, 2))]
        ]
