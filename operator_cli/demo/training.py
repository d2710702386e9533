"""Classes and who completes them: people who want training are grouped into classes in their own kota.

Wishes (a person, the day they would like to start) are batched per kota and programme: a class starts on
the first workday after its last member's wish, so nobody attends before registering, and it is full when a
batch reaches the class size or has waited a month. Vocational trainees (the Disnakertrans programme) are
placed in jobs after completing, about 77 % of them (PRODUCT.md §1). Trainers record most drop-outs as
withdrawals; in some classes that were full, someone waiting takes the freed place.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from operator_cli.demo.days import between, later_workday, workday
from operator_cli.demo.model import Enrolment, Period, Person, Placement, TrainingClass
from shared.contracts.enums import Agency, TrainingFormat, TrainingProgram
from shared.regions import jakarta

ENTREPRENEURSHIP_RATE = 0.33  # times the person's drive; ~28 % end up trained (PRODUCT.md §1)
VOCATIONAL_RATE = {Agency.NAKERTRANSGI: 0.55, Agency.SOSIAL: 0.25}
DEFAULT_VOCATIONAL_RATE = 0.08
NO_BUSINESS_VOCATIONAL_BOOST = 2.0
FOLLOW_UP_SHARE = 0.12  # trainees who come back for a second, more advanced class
DROPOUT = {TrainingProgram.ENTREPRENEURSHIP: 0.1, TrainingProgram.VOCATIONAL: 0.08}
CLASS_SIZE = {TrainingProgram.ENTREPRENEURSHIP: 30, TrainingProgram.VOCATIONAL: 20}
BATCH_WINDOW = timedelta(days=30)
WITHDRAWAL_RECORDED = 0.6  # of those who do not complete: the trainer records that they left
REFILL = 0.5  # of classes with a withdrawal: the class was full, and someone waiting takes the place
PLACEMENT_RATE = 0.8  # some placements fall after the period's end: ~77 % are placed within it
SECOND_JOB_SHARE = 0.06

TOPICS = (
    "Kewirausahaan Dasar",
    "Pemasaran Digital untuk UMKM",
    "Pembukuan Sederhana",
    "Pengemasan dan Label Produk",
    "Manajemen Usaha Kuliner",
    "Fotografi Produk",
    "Legalitas Usaha dan NIB",
)
SKILLS = (
    "Menjahit",
    "Tata Boga",
    "Barista",
    "Teknisi AC",
    "Operator Komputer",
    "Desain Grafis",
    "Tata Rias",
    "Las Listrik",
    "Otomotif Sepeda Motor",
)
EMPLOYERS = (
    "PT Sinar Jaya Abadi",
    "PT Mitra Karya Nusantara",
    "CV Berkah Mandiri",
    "PT Garuda Logistik Indonesia",
    "Hotel Cempaka Kemayoran",
    "PT Busana Prima Konveksi",
    "Rumah Makan Padang Sederhana Rasa",
    "PT Teknik Dingin Sejahtera",
    "Kedai Kopi Nusantara",
    "PT Bengkel Motor Jaya",
)


@dataclass(frozen=True)
class Wish:
    on: date
    person: int  # index in the plan's people


@dataclass
class Training:
    classes: list[TrainingClass] = field(default_factory=list)
    courses: dict[int, list[Enrolment]] = field(default_factory=lambda: defaultdict(list))
    vocational: dict[int, list[Enrolment]] = field(default_factory=lambda: defaultdict(list))
    placements: dict[int, list[Placement]] = field(default_factory=lambda: defaultdict(list))


def short_name(kota_code: str) -> str:
    """'Jakarta Pusat', 'Kepulauan Seribu': the names people use."""
    kota = jakarta().find_kota(kota_code)
    assert kota is not None
    return kota.name.removeprefix("Kota Administrasi ").removeprefix("Kabupaten Administrasi ")


class TrainingPlanner:
    def __init__(self, rng: random.Random, period: Period, seed: int) -> None:
        self.rng = rng
        self.period = period
        self.plan = Training()
        self.wishes: dict[tuple[str, TrainingProgram], list[Wish]] = defaultdict(list)
        self.held: dict[tuple[str, TrainingProgram], int] = defaultdict(int)
        self.trainers = random.Random(f"trainers:{seed}")

    def wish(self, index: int, person: Person, drive: float) -> None:
        """Whether, and from when, this person wants each kind of training."""
        rng = self.rng
        if rng.random() < ENTREPRENEURSHIP_RATE * drive:
            self._add(person, TrainingProgram.ENTREPRENEURSHIP, index, follow_up=FOLLOW_UP_SHARE)
        rate = VOCATIONAL_RATE.get(person.agency, DEFAULT_VOCATIONAL_RATE)
        if person.sector is None:
            rate *= NO_BUSINESS_VOCATIONAL_BOOST
        if rng.random() < rate:
            self._add(person, TrainingProgram.VOCATIONAL, index, follow_up=0.0)

    def _add(self, person: Person, program: TrainingProgram, index: int, follow_up: float) -> None:
        first = person.registered_on + timedelta(days=round(self.rng.expovariate(1 / 25)))
        wishes = self.wishes[(person.kota_code, program)]
        if first <= self.period.end:
            wishes.append(Wish(first, index))
        if self.rng.random() < follow_up:
            second = first + timedelta(days=self.rng.randint(60, 180))
            if second <= self.period.end:
                wishes.append(Wish(second, index))

    def schedule(self, people: list[Person]) -> Training:
        """Batches the wishes into classes (in a fixed order, so the plan depends on the seed only)."""
        for kota_code, program in sorted(self.wishes):
            batch: list[Wish] = []
            for wish in sorted(self.wishes[(kota_code, program)], key=lambda w: (w.on, w.person)):
                if batch and (len(batch) >= CLASS_SIZE[program] or wish.on - batch[0].on > BATCH_WINDOW):
                    self._hold(kota_code, program, batch, people)
                    batch = []
                batch.append(wish)
            if batch:
                self._hold(kota_code, program, batch, people)
        self._place()
        return self.plan

    def _hold(
        self, kota_code: str, program: TrainingProgram, batch: list[Wish], people: list[Person]
    ) -> None:
        rng = self.rng
        mobile = rng.random() < (0.6 if kota_code == "31.01" else 0.25)
        starts_on = workday(max(w.on for w in batch))
        if program is TrainingProgram.ENTREPRENEURSHIP:
            days = rng.randint(1, 2) if mobile else rng.randint(3, 5)
        else:
            days = rng.randint(5, 12) if mobile else rng.randint(20, 40)
        self.held[(kota_code, program)] += 1
        cls = TrainingClass(
            key=f"{program.value[0].upper()}{len(self.plan.classes) + 1:05d}",
            title=self._title(program, self.held[(kota_code, program)]),
            program=program,
            format=TrainingFormat.MOBILE_UNIT if mobile else TrainingFormat.REGULAR,
            kota_code=kota_code,
            venue=self._venue(kota_code, program, mobile),
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=days - 1),
            capacity=max(len(batch), CLASS_SIZE[program] + rng.choice((0, 0, 5, 10))),
        )
        drafts = []
        for wish in batch:
            registered_on = people[wish.person].registered_on
            # Enrolment opens up to two weeks before the start; never before registering or after the period.
            enrolled_on = min(
                max(registered_on, starts_on - timedelta(days=rng.randint(0, 14))), self.period.end
            )
            finished = cls.ends_on <= self.period.end and rng.random() >= DROPOUT[program]
            drafts.append(Enrolment(cls.key, enrolled_on, cls.ends_on if finished else None))
        members = self._trainers_records(cls, drafts, [people[w.person].registered_on for w in batch])
        if any(e.refills for e in members):  # the class was full until a withdrawal freed a place
            cls = replace(cls, capacity=len(batch) - 1)
        self.plan.classes.append(cls)
        enrolled = self.plan.courses if program is TrainingProgram.ENTREPRENEURSHIP else self.plan.vocational
        for wish, enrolment in zip(batch, members, strict=True):
            enrolled[wish.person].append(enrolment)

    def _trainers_records(
        self, cls: TrainingClass, drafts: list[Enrolment], registered: list[date]
    ) -> list[Enrolment]:
        """Drop-outs the trainer records as withdrawals, and sometimes someone who takes a freed place.

        Drawn from the trainers' own generator, so the rest of the history stays as the seed had it.
        """
        rng = self.trainers
        last = min(cls.ends_on, self.period.end)
        members = [
            replace(e, withdrawn_on=between(rng, e.enrolled_on, last))
            if e.completed_on is None and rng.random() < WITHDRAWAL_RECORDED
            else e
            for e in drafts
        ]
        freed = [e.withdrawn_on for e in members if e.withdrawn_on]
        stayed = [i for i, e in enumerate(members) if e.withdrawn_on is None]
        if freed and stayed and rng.random() < REFILL:
            i = rng.choice(stayed)  # was waiting for a place: enrols once the first one is freed
            members[i] = replace(members[i], enrolled_on=max(registered[i], min(freed)), refills=True)
        return members

    def _title(self, program: TrainingProgram, held: int) -> str:
        if program is TrainingProgram.ENTREPRENEURSHIP:
            return f"Pelatihan {self.rng.choice(TOPICS)} Angkatan {held}"
        return f"Pelatihan Kerja {self.rng.choice(SKILLS)} Angkatan {held}"

    def _venue(self, kota_code: str, program: TrainingProgram, mobile: bool) -> str:
        kota = jakarta().find_kota(kota_code)
        assert kota is not None
        kecamatan = self.rng.choice(kota.kecamatan)
        if mobile:
            return f"Mobil Pelatihan Keliling, Kelurahan {self.rng.choice(kecamatan.kelurahan).name}"
        if program is TrainingProgram.VOCATIONAL:
            return f"PPKD {short_name(kota_code)}"
        return f"Kantor Kecamatan {kecamatan.name}"

    def _place(self) -> None:
        """Jobs found after the first vocational completion; a few change jobs later."""
        rng = self.rng
        for index in sorted(self.plan.vocational):
            done = [e.completed_on for e in self.plan.vocational[index] if e.completed_on is not None]
            if not done or rng.random() >= PLACEMENT_RATE:
                continue
            placed_on = later_workday(rng, min(done), 25, 0.8)
            while placed_on <= self.period.end:
                self.plan.placements[index].append(Placement(rng.choice(EMPLOYERS), placed_on))
                if rng.random() >= SECOND_JOB_SHARE:
                    break
                placed_on = later_workday(rng, placed_on, 150)
