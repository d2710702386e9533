"""The suite's table: a row per scenario with its writes and outcome, printed and optionally kept in docs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HEADER = ("scenario", "writes", "expected", "counted", "lost", "doubled", "seconds", "outcome", "evidence")
DOC = Path(__file__).resolve().parents[2] / "docs" / "fault-suite.md"
BLOCK = re.compile(r"(<!-- results -->\n).*?(<!-- /results -->)", re.DOTALL)


@dataclass(frozen=True)
class Row:
    scenario: str
    writes: int
    expected: int
    counted: int
    lost: int
    doubled: int
    seconds: float
    outcome: str
    evidence: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.scenario,
            str(self.writes),
            str(self.expected),
            str(self.counted),
            str(self.lost),
            str(self.doubled),
            f"{self.seconds:.1f}",
            self.outcome,
            self.evidence,
        )


def markdown(rows: list[Row]) -> str:
    lines = [_line(HEADER), _line(tuple("---" for _ in HEADER))]
    lines += [_line(row.cells()) for row in rows]
    total = sum(row.seconds for row in rows)
    passed = sum(row.outcome == "pass" for row in rows)
    lines.append(f"\n{passed} of {len(rows)} scenarios passed in {total:.0f} s of scenario time.")
    return "\n".join(lines)


def update_doc(rows: list[Row], doc: Path = DOC) -> None:
    """Replace the results block of docs/fault-suite.md with this run's table."""
    when = f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores.\n\n"
    text = doc.read_text()
    doc.write_text(BLOCK.sub(lambda m: f"{m.group(1)}{when}{markdown(rows)}\n{m.group(2)}", text, count=1))


def _line(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"
