"""A batch acts only within the caller's area: rows and updates of people elsewhere are refused, and a NIK
registered elsewhere is only ever "taken": neither its participant's id nor its area is told."""

from datetime import date

from services.registration.domain.batch import OnDuplicate, RowStatus, decide, screen
from services.registration.domain.participant import Domicile, RegisterParticipant, register
from shared.contracts.enums import Agency, Gender

TODAY = date(2024, 6, 30)
PUSAT = Domicile("31.71", "31.71.01", "31.71.01.1001")
UTARA = Domicile("31.72", "31.72.01", "31.72.01.1001")


def row(nik: str, domicile: Domicile) -> RegisterParticipant:
    return RegisterParticipant(
        nik=nik,
        full_name="Budi",
        gender=Gender.M,
        birth_date=date(1990, 9, 5),
        phone=None,
        email=None,
        disability=False,
        domicile=domicile,
        business=None,
        agency=Agency.PPKUKM,
        registered_on=date(2023, 1, 10),
    )


def only_pusat(kota_code: str, agency: str) -> str | None:
    return None if kota_code == "31.71" else f"kota {kota_code}, agency {agency} is outside your area"


def test_a_row_of_another_kota_is_refused_out_of_scope_and_does_not_claim_its_nik() -> None:
    rows = [row("3171010509900001", UTARA), row("3171010509900001", PUSAT)]
    screened = screen(rows, TODAY, only_pusat)
    assert [(r.index, r.code) for r in screened.rejected] == [(0, "out_of_scope")]
    assert "outside your area" in (screened.rejected[0].detail or "")
    assert [c.index for c in screened.candidates] == [1]


def test_updating_a_participant_registered_in_another_kota_is_refused_as_taken() -> None:
    registered = register(row("3171010509900001", UTARA), TODAY)
    candidates = screen([row("3171010509900001", PUSAT)], TODAY, only_pusat).candidates
    updating = decide(candidates, {registered.nik: registered}, OnDuplicate.UPDATE, TODAY, only_pusat)
    assert not updating.update and updating.results[0].status is RowStatus.INVALID
    assert updating.refused == [registered.participant_id]  # for the audit trail, not the answer
    skipping = decide(candidates, {registered.nik: registered}, OnDuplicate.SKIP, TODAY, only_pusat)
    assert skipping.results[0].status is RowStatus.SKIPPED
    assert skipping.taken == [registered.participant_id]
    for answer in (updating.results[0], skipping.results[0]):
        # Uniqueness is province-wide, whoever asks; but only "taken": no id, no kota, no agency.
        assert (answer.code, answer.participant_id, answer.detail) == (
            "duplicate_nik",
            None,
            "NIK is already registered",
        )


def test_a_nik_registered_in_the_callers_area_is_named() -> None:
    registered = register(row("3171010509900001", PUSAT), TODAY)
    candidates = screen([row("3171010509900001", PUSAT)], TODAY, only_pusat).candidates
    skipping = decide(candidates, {registered.nik: registered}, OnDuplicate.SKIP, TODAY, only_pusat)
    assert skipping.results[0].participant_id == registered.participant_id
    assert str(registered.participant_id) in (skipping.results[0].detail or "")
    assert skipping.found == [registered.participant_id]
