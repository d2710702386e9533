"""The personal-data scan finds what the tests send and ignores ids, offsets and timestamps."""

from tests.pii_scan import free_text, leaks_in


def test_it_finds_a_nik_a_test_name_and_a_phone_number() -> None:
    text = '{"nik": "3171054506900001", "full_name": "Peserta 12", "phone": "081234567890"}'
    assert sorted(leak.kind for leak in leaks_in(text, "here")) == ["NIK", "name", "phone"]


def test_it_ignores_ids_offsets_timestamps_and_impossible_niks() -> None:
    text = (
        '{"participant_id": "3f1c2a9e-8b7d-4c6e-9a1b-2c3d4e5f6a7b", "offset": 1732764000123, '
        '"ts": "2026-11-28T06:35:29.123456+00:00", "n": 9971059913000012, "m": 3171053213900001}'
    )
    assert leaks_in(text, "here") == []


def test_digit_runs_inside_uuids_are_not_phone_numbers() -> None:
    assert leaks_in('"event_id":"a1f37bc2-f132-4166-a0ad-0868493329f9"', "here") == []


def test_free_text_markers_are_leaks_on_topics_only() -> None:
    reason, other = free_text("dokumen kurang"), free_text("dokumen kurang")
    assert reason != other and reason.startswith("dokumen kurang ")
    text = f'{{"reason": "{reason}"}}'
    assert [leak.kind for leak in leaks_in(text, "topic", free_text=True)] == ["free text"]
    assert leaks_in(text, "log") == []
