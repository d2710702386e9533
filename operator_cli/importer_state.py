"""What an import leaves on disk: its tally, the checkpoint next to the input, the per-row error report.

The checkpoint names the last line up to which every record was answered by the service, together with the
tally of those records, so a re-run resumes after it and still reports figures for the whole file. It is
only a shortcut: rows already imported come back as duplicates anyway, so losing it costs time, not data.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from operator_cli.importer_csv import REPORT_COLUMNS, neutralised, normalise

CHECKPOINT_VERSION = 1
_LINE_NUMBER = re.compile("[0-9]+")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; elsewhere the symlink check alone


class UnsafeReport(Exception):
    """The error report's path is one it must not be written to (a symbolic link)."""


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)  # "status/code", e.g. "invalid/rule_violation"

    @property
    def rows(self) -> int:
        return sum(self.statuses.values())

    def count(self, status: str, code: str | None = None) -> None:
        self.statuses[status] += 1
        if code:
            self.reasons[f"{status}/{code}"] += 1

    def add(self, other: Tally) -> None:
        self.statuses.update(other.statuses)
        self.reasons.update(other.reasons)

    def reasons_of(self, status: str) -> str:
        """E.g. ` (duplicate_nik 3, unchanged 1)`, or nothing."""
        found = [
            f"{reason.split('/', 1)[1]} {n:,}"
            for reason, n in sorted(self.reasons.items())
            if reason.startswith(f"{status}/")
        ]
        return f" ({', '.join(found)})" if found else ""

    def as_json(self) -> dict[str, Any]:
        return {"statuses": dict(self.statuses), "reasons": dict(self.reasons)}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Tally:
        return cls(Counter(raw["statuses"]), Counter(raw["reasons"]))


@dataclass(frozen=True)
class Fingerprint:
    """The input as it was: a file edited since (rows fixed, rows appended) is imported from the top."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        stat = path.stat()
        return cls(stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class Checkpoint:
    line: int  # every record that ends on or before this line has been answered
    fingerprint: Fingerprint
    on_duplicate: str
    tally: Tally


def checkpoint_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.name + ".progress")


def load_checkpoint(path: Path, fingerprint: Fingerprint, on_duplicate: str) -> tuple[Checkpoint | None, str]:
    """The checkpoint to resume from, or None and why not (empty when there is none)."""
    if not path.exists():
        return None, ""
    try:
        raw = json.loads(path.read_text())
        if raw["version"] != CHECKPOINT_VERSION:
            return None, f"{path.name} was written by another version of this tool"
        found = Checkpoint(
            line=int(raw["line"]),
            fingerprint=Fingerprint(**raw["fingerprint"]),
            on_duplicate=str(raw["on_duplicate"]),
            tally=Tally.from_json(raw["tally"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None, f"{path.name} is unreadable"
    if found.fingerprint != fingerprint:
        return None, "the file changed since the interrupted run"
    if found.on_duplicate != on_duplicate:
        return None, f"the interrupted run used --on-duplicate {found.on_duplicate}"
    return found, ""


def save_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Atomic: a run killed while writing leaves the previous checkpoint, never half of one."""
    body = {
        "version": CHECKPOINT_VERSION,
        "line": checkpoint.line,
        "fingerprint": vars(checkpoint.fingerprint),
        "on_duplicate": checkpoint.on_duplicate,
        "tally": checkpoint.tally.as_json(),
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(body))
    os.replace(temporary, path)


class ErrorReport:
    """Every refused row with its line, code and message, followed by the row itself (the user's own data).

    Resuming keeps the rows reported up to the checkpoint and drops any reported after it: those lines are
    sent again and reported again. It holds personal data, so it is the owner's alone (0600), created
    afresh (never written through a symbolic or hard link someone left at its path), and every cell a
    spreadsheet would run as a formula is neutralised.
    """

    def __init__(self, path: Path, header: list[str], *, keep_through: int | None) -> None:
        self.path = path
        self._skip = {at for at, name in enumerate(header) if normalise(name) in REPORT_COLUMNS}
        columns = [*REPORT_COLUMNS, *self._drop_report_columns(header)]
        previous = path.with_name(path.name + ".previous")
        if path.is_symlink():
            raise UnsafeReport(f"{path} is a symbolic link: the error report is not written through one")
        resuming = keep_through is not None and path.exists()
        if resuming:
            os.replace(path, previous)
        self._file: TextIO = _create_private(path)
        self._writer = csv.writer(self._file)
        header_row = [neutralised(cell) for cell in columns]
        self._writer.writerow(header_row)
        self.rows = 0
        if resuming and keep_through is not None:
            self._keep(previous, header_row, keep_through)
            previous.unlink()

    def _keep(self, previous: Path, columns: list[str], through: int) -> None:
        with previous.open(encoding="utf-8", newline="") as old:
            reader = csv.reader(old)
            if next(reader, None) != columns:
                return  # a report of another file: nothing of it belongs here
            for row in reader:
                if row and _LINE_NUMBER.fullmatch(row[0]) and int(row[0]) <= through:
                    self._writer.writerow([neutralised(cell) for cell in row])
                    self.rows += 1

    def _drop_report_columns(self, cells: list[str]) -> list[str]:
        # Importing a fixed error report: its own report columns are not written twice.
        return [cell for at, cell in enumerate(cells) if at not in self._skip]

    def write(self, line: int, code: str, message: str, cells: list[str]) -> None:
        row = [str(line), code, message, *self._drop_report_columns(cells)]
        self._writer.writerow([neutralised(cell) for cell in row])
        self.rows += 1

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _create_private(path: Path) -> TextIO:
    """A new file only its owner may read; an old one at the path is replaced, never written into."""
    path.unlink(missing_ok=True)  # a link's name goes, not what it pointed to
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    except FileExistsError:  # something put there in between: not ours to write
        raise UnsafeReport(f"{path} appeared while the error report was being created") from None
    return os.fdopen(fd, "w", encoding="utf-8", newline="")
