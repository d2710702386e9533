"""Mentors (PJLP) per kecamatan, and the sessions they hold with the participants of their kecamatan."""

from __future__ import annotations

import random
from datetime import date, timedelta

from operator_cli.demo.days import later_workday, workday
from operator_cli.demo.model import Mentor, Period, Person, Session
from operator_cli.demo.people import FAMILY, MEN, WOMEN
from shared.dates import PROGRAMME_START
from shared.regions import jakarta

MENTORED_RATE = 0.45  # times the person's drive: ~40 % are mentored
MORE_SESSIONS = 0.6  # chance of one more session after each
CHANGE_MENTOR = 0.1
TOPICS = (
    "Pencatatan keuangan sederhana",
    "Pemasaran digital melalui media sosial",
    "Pendaftaran NIB melalui OSS",
    "Perhitungan harga pokok produksi",
    "Desain kemasan dan label",
    "Persiapan sertifikasi halal",
    "Akses permodalan dan KUR",
    "Berjualan di marketplace",
    "Manajemen stok dan bahan baku",
    "Foto produk dengan ponsel",
)
NOTES = (
    "Belum memisahkan uang usaha dan pribadi; dibantu membuat buku kas.",
    "Sudah aktif di media sosial, perlu jadwal unggahan rutin.",
    "Diminta melengkapi dokumen untuk pengajuan izin.",
    "Produk laku di lingkungan sekitar, perlu kemasan yang lebih awet.",
)


def roster(seed: int, period: Period) -> list[Mentor]:
    """Two to four mentors per kecamatan, all assigned before the period starts.

    Drawn from their own generator, so a mentor's staff number always comes with the same kecamatan and
    assignment date for a given seed and period start: a re-run finds them (409) and reuses them.
    """
    rng = random.Random(f"mentors:{seed}:{period.start.isoformat()}")
    mentors: list[Mentor] = []
    for kota in jakarta().kota:
        for kecamatan in kota.kecamatan:
            for _ in range(min(4, 2 + len(kecamatan.kelurahan) // 6)):
                assigned_on = workday(period.start - timedelta(days=rng.randint(30, 700)))
                women = rng.random() < 0.6
                mentors.append(
                    Mentor(
                        staff_number=f"PJLP-{period.start:%y%m%d}-{seed}-{len(mentors) + 1:03d}",
                        full_name=f"{rng.choice(WOMEN if women else MEN)} {rng.choice(FAMILY)}",
                        kecamatan_code=kecamatan.code,
                        assigned_on=max(PROGRAMME_START, min(assigned_on, period.start)),
                    )
                )
    return mentors


def sessions(
    rng: random.Random, period: Period, person: Person, drive: float, mentors: list[Mentor]
) -> tuple[Session, ...]:
    """A first session within weeks of registering, then follow-ups; always a mentor of their kecamatan."""
    if rng.random() >= MENTORED_RATE * drive:
        return ()
    mentor = rng.choice(mentors)
    held: list[Session] = []
    held_on: date = later_workday(rng, person.registered_on, 20, 0.8)
    while held_on <= period.end:
        note = rng.choice(NOTES) if rng.random() < 0.3 else None
        held.append(Session(mentor.staff_number, held_on, rng.choice(TOPICS), note))
        if rng.random() >= MORE_SESSIONS:
            break
        if rng.random() < CHANGE_MENTOR:
            mentor = rng.choice(mentors)
        held_on = later_workday(rng, held_on, 30)
    return tuple(held)
