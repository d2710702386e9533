"""The checker itself: it must see a lost, a doubled and a misplaced count (no servers needed)."""

from __future__ import annotations

from datetime import date

from tests.faults.checker import Served, judge
from tests.faults.ledger import DIMENSIONS, METRICS, Ledger

DIMS = {"kota": "31.71", "kecamatan": "31.71.01", "gender": "F", "sector": "none", "agency": "PPKUKM"}


def ledger() -> Ledger:
    book = Ledger()
    book.participant("p1", DIMS, date(2023, 1, 2))
    book.participant("p2", {**DIMS, "gender": "M"}, date(2023, 1, 3))
    book.completed("p1", "entrepreneurship", date(2023, 5, 1))
    book.completed("p1", "entrepreneurship", date(2023, 3, 1))  # backdated: the earlier day counts
    book.issued("permit-1", "p2", date(2023, 6, 1))
    book.issued("permit-2", "p2", date(2023, 7, 1))
    return book


def exact_figures(book: Ledger) -> Served:
    return {
        metric: {
            "days": {str(day): n for day, n in book.days(metric).items()},
            **{by: dict(book.breakdown(metric, by)) for by in DIMENSIONS},
        }
        for metric in METRICS
    }


def test_counts_each_subject_once_on_its_earliest_day() -> None:
    book = ledger()
    assert book.days("trained") == {date(2023, 3, 1): 1}
    assert book.days("permits_issued") == {date(2023, 6, 1): 1, date(2023, 7, 1): 1}
    assert book.days("permit_holders") == {date(2023, 6, 1): 1}
    assert book.writes == 6 and book.total() == 2 + 1 + 2 + 1


def test_exact_figures_pass() -> None:
    verdict = judge(ledger(), exact_figures(ledger()))
    assert verdict.exact and verdict.expected == verdict.counted == 6


def test_a_missing_count_is_lost_and_an_extra_one_doubled() -> None:
    figures = exact_figures(ledger())
    figures["registered"]["days"]["2023-01-02"] = 0
    figures["permits_issued"]["days"]["2023-06-01"] = 2
    verdict = judge(ledger(), figures)
    assert (verdict.lost, verdict.doubled) == (1, 1)


def test_a_count_left_on_a_later_day_is_both() -> None:
    figures = exact_figures(ledger())
    figures["trained"]["days"] = {"2023-05-01": 1}  # the backdated completion did not move it
    verdict = judge(ledger(), figures)
    assert (verdict.lost, verdict.doubled) == (1, 1) and not verdict.exact


def test_a_count_in_the_wrong_breakdown_row_is_misplaced() -> None:
    figures = exact_figures(ledger())
    figures["registered"]["gender"] = {"F": 2}
    verdict = judge(ledger(), figures)
    assert (verdict.lost, verdict.doubled) == (0, 0)
    assert verdict.misplaced == [
        "registered by gender F: 1 expected, 2 served",
        "registered by gender M: 1 expected, 0 served",
    ]
