"""Registrars keeping records right (PATCH with a reason): a phone number typed wrong, a kelurahan mixed up
with its neighbour, a move to another kota.

Drawn from a generator of their own, so the rest of a seed's history is what it was before edits existed.
The executor sends a participant's edits after every stage fact of theirs, so the figures must follow the
edited domicile: a move of kota moves the participant's counts (PRODUCT.md §4, issue 13).
"""

from __future__ import annotations

import random

from operator_cli.demo.model import Domicile, Edit, Person
from operator_cli.demo.people import KOTA_WEIGHT, People, phone_number, weighted

PHONE_FIX = 0.05
KELURAHAN_FIX = 0.03  # another kelurahan of the same kecamatan
MOVE = 0.04  # to another kota

PHONE_REASON = "salah ketik nomor telepon saat pendaftaran"
KELURAHAN_REASON = "kelurahan salah pilih saat pendaftaran"
MOVE_REASON = "pindah domisili (surat keterangan pindah dari kelurahan)"


class Upkeep:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"upkeep:{seed}")
        self.people = People(self.rng)  # for its regions and their weights; draws no one

    def edits(self, person: Person) -> tuple[Edit, ...]:
        """Zero, one or two edits, in the order a registrar would make them."""
        rng, made = self.rng, []
        if person.phone and rng.random() < PHONE_FIX:
            made.append(Edit(PHONE_REASON, phone=self.other_phone(person.phone)))
        if rng.random() < MOVE:
            made.append(Edit(MOVE_REASON, domicile=self.elsewhere(person.kota_code)))
        elif rng.random() < KELURAHAN_FIX and (kelurahan := self.neighbour(person)):
            made.append(Edit(KELURAHAN_REASON, domicile=kelurahan))
        return tuple(made)

    def other_phone(self, phone: str) -> str:
        while (fixed := phone_number(self.rng)) == phone:
            pass
        return fixed

    def elsewhere(self, kota_code: str) -> Domicile:
        """A home in another kota, chosen as registrations are (by population, then kelurahan count)."""
        kota = self.people.kota[weighted(self.rng, {k: w for k, w in KOTA_WEIGHT.items() if k != kota_code})]
        kecamatan = self.people.kecamatan_in(kota)
        return Domicile(kota.code, kecamatan.code, self.rng.choice(kecamatan.kelurahan).code)

    def neighbour(self, person: Person) -> Domicile | None:
        """Another kelurahan of the person's kecamatan; None where the kecamatan has only one."""
        kota = self.people.kota[person.kota_code]
        kecamatan = next(k for k in kota.kecamatan if k.code == person.kecamatan_code)
        others = [k.code for k in kecamatan.kelurahan if k.code != person.kelurahan_code]
        if not others:
            return None
        return Domicile(person.kota_code, person.kecamatan_code, self.rng.choice(others))
