"""Random but valid registration requests, and an independent count of what they should add up to."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from shared.contracts.enums import Agency, Sector
from shared.regions import jakarta

PROVINCES = ["31", "32", "33", "36", "12", "73"]


def nik_for(rng: random.Random, birth: date, gender: str, serial: int) -> str:
    day = birth.day + (40 if gender == "F" else 0)
    province = rng.choice(PROVINCES)
    return f"{province}{rng.randint(1, 79):02d}{rng.randint(1, 40):02d}{day:02d}{birth:%m%y}{serial:04d}"


def participant(rng: random.Random, serial: int, registered_on: date) -> dict[str, Any]:
    kota = rng.choice(jakarta().kota)
    kecamatan = rng.choice(kota.kecamatan)
    kelurahan = rng.choice(kecamatan.kelurahan)
    gender = rng.choice("FM")
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 52))
    body: dict[str, Any] = {
        "nik": nik_for(rng, birth, gender, serial % 9999 + 1),
        "full_name": f"Peserta {serial}",
        "gender": gender,
        "birth_date": birth.isoformat(),
        "phone": f"0812{rng.randrange(10**7, 10**8)}",
        "domicile": {
            "kota_code": kota.code,
            "kecamatan_code": kecamatan.code,
            "kelurahan_code": kelurahan.code,
        },
        "agency": rng.choice(list(Agency)).value,
        "registered_on": registered_on.isoformat(),
    }
    if rng.random() < 0.8:
        body["business"] = {"name": f"Usaha {serial}", "sector": rng.choice(list(Sector)).value}
    return body


def expected_breakdown(accepted: list[dict[str, Any]], by: str, start: date, end: date) -> Counter[str]:
    """Counted from the API's own 201 responses, not from anything reporting computed."""
    rows: Counter[str] = Counter()
    for p in accepted:
        if start <= date.fromisoformat(p["registered_on"]) <= end:
            rows[_key(p, by)] += 1
    return rows


def _key(p: dict[str, Any], by: str) -> str:
    match by:
        case "kota":
            return str(p["domicile"]["kota_code"])
        case "kecamatan":
            return str(p["domicile"]["kecamatan_code"])
        case "gender":
            return str(p["gender"])
        case "sector":
            return str(p["business"]["sector"]) if p["business"] else "none"
        case "agency":
            return str(p["agency"])
    raise ValueError(by)
