"""Who registers: invented people with valid NIKs, spread over Jakarta's regions, agencies and sectors.

Shares are inspired by the city (kota weights follow population, with Kepulauan Seribu lifted to a small
but visible share) and by the programme (PPKUKM leads; food businesses dominate).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta
from typing import TypeVar

from operator_cli.demo.model import Person
from shared.contracts.enums import Agency, Gender, Sector
from shared.regions import PROVINCE_CODES, Kecamatan, Kota, jakarta

T = TypeVar("T")

KOTA_WEIGHT = {"31.75": 28.5, "31.73": 22.8, "31.74": 21.0, "31.72": 16.7, "31.71": 10.0, "31.01": 1.0}
AGENCY_WEIGHT = {
    Agency.PPKUKM: 46,
    Agency.PAREKRAF: 13,
    Agency.NAKERTRANSGI: 13,
    Agency.PPAPP: 11,
    Agency.KPKP: 9,
    Agency.SOSIAL: 8,
}
SECTOR_WEIGHT = {
    Sector.KULINER: 40,
    Sector.PERDAGANGAN: 14,
    Sector.FESYEN: 12,
    Sector.JASA: 11,
    Sector.KRIYA: 9,
    Sector.LAINNYA: 6,
    Sector.AGRIBISNIS: 4,
    Sector.INDUSTRI: 4,
}
# Agencies bring their own kind of participant: women's empowerment, food security, creative economy.
SECTOR_BIAS = {
    Agency.KPKP: {Sector.AGRIBISNIS: 8.0, Sector.KULINER: 1.5},
    Agency.PAREKRAF: {Sector.FESYEN: 2.5, Sector.KRIYA: 3.0},
}
WOMEN_SHARE = {Agency.PPAPP: 0.92, Agency.NAKERTRANSGI: 0.45}
DEFAULT_WOMEN_SHARE = 0.64
NO_BUSINESS_SHARE = {Agency.NAKERTRANSGI: 0.55, Agency.SOSIAL: 0.2}  # job-seekers
DEFAULT_NO_BUSINESS_SHARE = 0.05
DKI_KTP_SHARE = 0.82  # the rest live in Jakarta on an identity card from another province

WOMEN = (
    "Siti", "Nur", "Dewi", "Sri", "Rina", "Yuliana", "Fitri", "Ratna", "Wulan", "Indah", "Aisyah", "Nurul",
    "Dian", "Maya", "Putri", "Ayu", "Kartika", "Endang", "Lia", "Rosmawati", "Fatimah", "Yanti", "Desi",
)  # fmt: skip
MEN = (
    "Ahmad", "Muhammad", "Budi", "Agus", "Joko", "Rudi", "Hendra", "Andi", "Dedi", "Rizky", "Fajar", "Arief",
    "Bambang", "Eko", "Slamet", "Yusuf", "Hasan", "Irfan", "Wahyu", "Dimas", "Taufik", "Bayu", "Hadi",
)  # fmt: skip
FAMILY = (
    "Saputra", "Wijaya", "Hidayat", "Pratama", "Santoso", "Setiawan", "Nugroho", "Kurniawan", "Siregar",
    "Nasution", "Lubis", "Gunawan", "Susanto", "Rahman", "Hakim", "Purnomo", "Maulana", "Lestari", "Rahayu",
    "Handayani", "Susanti", "Anggraini", "Utami", "Permatasari", "Simanjuntak", "Tanjung", "Sitompul",
)  # fmt: skip
BUSINESS = {
    Sector.KULINER: ("Dapur", "Warung", "Kedai", "Katering", "Kue"),
    Sector.FESYEN: ("Butik", "Konveksi", "Batik", "Jahit"),
    Sector.KRIYA: ("Kerajinan", "Galeri", "Anyaman"),
    Sector.JASA: ("Laundry", "Salon", "Bengkel", "Servis"),
    Sector.AGRIBISNIS: ("Kebun", "Hidroponik", "Tani"),
    Sector.PERDAGANGAN: ("Toko", "Grosir", "Kios"),
    Sector.INDUSTRI: ("Usaha Mandiri", "Produksi", "Sablon"),
    Sector.LAINNYA: ("Usaha", "Karya"),
}
MAIL_DOMAINS = ("gmail.com", "yahoo.co.id", "gmail.com", "outlook.com")


def weighted(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def phone_number(rng: random.Random) -> str:
    """A mobile number as Indonesians write it: 08, an operator's digit pair, eight digits."""
    return f"08{rng.randint(11, 99)}{rng.randrange(10**7, 10**8)}"


class People:
    """Draws people one by one; NIKs are unique within the demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.niks: set[str] = set()
        self.kota = {k.code: k for k in jakarta().kota}

    def person(self, registered_on: date) -> Person:
        rng = self.rng
        kota = self.kota[weighted(rng, KOTA_WEIGHT)]
        kecamatan = self.kecamatan_in(kota)
        agency = weighted(rng, AGENCY_WEIGHT)
        gender = Gender.F if rng.random() < WOMEN_SHARE.get(agency, DEFAULT_WOMEN_SHARE) else Gender.M
        birth_date = self.birth_date(registered_on, agency)
        first = rng.choice(WOMEN if gender is Gender.F else MEN)
        full_name = f"{first} {rng.choice(FAMILY)}"
        sector = None
        if rng.random() >= NO_BUSINESS_SHARE.get(agency, DEFAULT_NO_BUSINESS_SHARE):
            bias = SECTOR_BIAS.get(agency, {})
            sector = weighted(rng, {s: w * bias.get(s, 1.0) for s, w in SECTOR_WEIGHT.items()})
        return Person(
            nik=self.nik(kecamatan, birth_date, gender),
            full_name=full_name,
            gender=gender,
            birth_date=birth_date,
            phone=phone_number(rng) if rng.random() < 0.9 else None,
            email=self.email(full_name) if rng.random() < 0.35 else None,
            disability=rng.random() < 0.02,
            kota_code=kota.code,
            kecamatan_code=kecamatan.code,
            kelurahan_code=rng.choice(kecamatan.kelurahan).code,
            business_name=f"{rng.choice(BUSINESS[sector])} {first}" if sector else None,
            sector=sector,
            agency=agency,
            registered_on=registered_on,
        )

    def kecamatan_in(self, kota: Kota) -> Kecamatan:
        """Bigger kecamatan (more kelurahan) register more people."""
        return self.rng.choices(kota.kecamatan, weights=[len(k.kelurahan) for k in kota.kecamatan])[0]

    def birth_date(self, registered_on: date, agency: Agency) -> date:
        mean_age = 27 if agency is Agency.NAKERTRANSGI else 40
        age = min(max(self.rng.gauss(mean_age, 9), 18.0), 66.0)
        return registered_on - timedelta(days=int(age * 365.25) + self.rng.randrange(365))

    def nik(self, kecamatan: Kecamatan, birth: date, gender: Gender) -> str:
        """A valid, unique NIK; a Jakarta card carries the domicile's kecamatan as its region digits."""
        day = birth.day + (40 if gender is Gender.F else 0)
        while True:
            if self.rng.random() < DKI_KTP_SHARE:
                region = kecamatan.code.replace(".", "")
            else:
                province = self.rng.choice(sorted(PROVINCE_CODES - {"31"}))
                region = f"{province}{self.rng.randint(1, 79):02d}{self.rng.randint(1, 40):02d}"
            nik = f"{region}{day:02d}{birth:%m%y}{self.rng.randint(1, 9999):04d}"
            if nik not in self.niks:
                self.niks.add(nik)
                return nik

    def email(self, full_name: str) -> str:
        local = full_name.lower().replace(" ", self.rng.choice((".", "_", "")))
        return f"{local}{self.rng.randint(1, 999)}@{self.rng.choice(MAIL_DOMAINS)}"
