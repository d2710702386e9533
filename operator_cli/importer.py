"""`jakpreneur import participants FILE.csv`: legacy OK OCE records into registration, under its own rules.

The file is streamed in batches to `POST /participants/batch`, a few batches in flight at once; answers are
taken in file order, so the checkpoint and the error report always cover an unbroken run of lines. Nothing
personal (NIK, name, …) is printed: the terminal gets counts, line numbers and codes only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from uuid import uuid4

import httpx
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from operator_cli.credentials import TokenOption, bearer_headers
from operator_cli.importer_csv import (
    ALIASES,
    DATE_FORMATS_HELP,
    OPTIONAL,
    REQUIRED,
    Columns,
    MalformedFile,
    Record,
    RowError,
    count_records,
    nik_of,
    open_records,
    to_row,
)
from operator_cli.importer_state import (
    Checkpoint,
    ErrorReport,
    Fingerprint,
    Tally,
    UnsafeReport,
    checkpoint_path,
    load_checkpoint,
    save_checkpoint,
)
from services.registration.domain.batch import DUPLICATE_IN_FILE, MAX_ROWS, OnDuplicate
from services.registration.domain.nik import is_nik_shaped

EXIT_INVALID_ROWS = 1
EXIT_MALFORMED = 2
EXIT_STOPPED = 3
EXIT_INTERRUPTED = 130
RETRYABLE = {429, 502, 503, 504}  # rate-limited or briefly unavailable: the same batch again is safe
ATTEMPTS = 4

app = typer.Typer(help="Bring legacy records into the platform through the services' own rules.")


def _columns_help() -> str:
    def names(field_name: str) -> str:
        return f"{field_name} (or {', '.join(ALIASES[field_name])})"

    return (
        f"Required columns: {'; '.join(names(f) for f in REQUIRED)}.\n\n"
        f"Optional columns: {'; '.join(names(f) for f in OPTIONAL)}.\n\n"
        "Header names are matched ignoring case, spaces and punctuation; other columns are ignored (and "
        "listed). Separator: comma, semicolon or tab, as the header line uses. Encoding: UTF-8.\n\n"
        f"Dates: {DATE_FORMATS_HELP}. gender: M/F or L/P (laki-laki/perempuan). disability: ya/tidak, "
        "yes/no, true/false, 1/0 (empty: no). agency: one of the six codes, default PPKUKM. sector: "
        "kuliner, fesyen, kriya, jasa, agribisnis, perdagangan, industri, lainnya. Every row must carry its "
        "original registered_on."
    )


HELP = (
    "Import legacy OK OCE participants from a CSV file through the rules of registration.\n\n"
    f"{_columns_help()}\n\n"
    "Each NIK may appear once in a file: a later line with the same NIK is refused as duplicate_in_file. "
    "A NIK already registered is skipped, or with --on-duplicate update the record is updated from the "
    "row. Refused rows go to the error report (line, code, message, then the row as read). Safe to run "
    "again: rows already imported come back as duplicates; an interrupted run resumes after the last "
    "answered line, kept in FILE.progress (--restart ignores it; it is removed when the import ends).\n\n"
    "Exit codes: 0 all rows taken, 1 some rows refused, 2 the file cannot be imported (nothing sent), "
    "3 the service failed (re-run to resume), 130 interrupted (re-run to resume)."
)


class ImportStopped(Exception):
    """The service could not take a batch: the import stops at the last answered line."""


@dataclass(frozen=True)
class Settings:
    url: str
    on_duplicate: OnDuplicate
    dry_run: bool
    batch_size: int
    concurrency: int
    headers: dict[str, str]  # authorization, sent with every batch
    timeout_s: float
    run_id: str = field(default_factory=lambda: uuid4().hex[:8])


@dataclass(frozen=True)
class Refusal:
    line: int
    code: str
    message: str
    cells: list[str]


@dataclass
class Batch:
    seq: int
    last_line: int = 0
    lines: list[int] = field(default_factory=list)  # line of each row sent
    rows: list[dict[str, Any]] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)  # as read, for the error report
    refused: list[Refusal] = field(default_factory=list)  # refused here, never sent

    @property
    def size(self) -> int:
        return len(self.rows) + len(self.refused)


def batches(columns: Columns, records: Iterator[Record], size: int, *, resume_after: int) -> Iterator[Batch]:
    """Records in batches of up to `size` rows to send; lines up to `resume_after` are passed over."""
    first_line_of: dict[str, int] = {}  # NIK → first line: the only per-row state kept for the whole file
    batch = Batch(0)
    for record in records:
        nik = nik_of(columns, record.cells)
        # Only a NIK of the right shape claims its later lines; the service explains any other.
        first = first_line_of.setdefault(nik, record.line) if is_nik_shaped(nik) else record.line
        if record.last_line <= resume_after:
            continue
        batch.last_line = record.last_line
        try:
            if first != record.line:
                message = f"the same NIK as line {first}: a NIK is imported once, from its first line"
                raise RowError(DUPLICATE_IN_FILE, message)
            row = to_row(columns, record.cells)
        except RowError as exc:
            batch.refused.append(Refusal(record.line, exc.code, exc.message, record.cells))
            continue
        batch.lines.append(record.line)
        batch.rows.append(row)
        batch.cells.append(record.cells)
        if len(batch.rows) == size:
            yield batch
            batch = Batch(batch.seq + 1)
    if batch.size:
        yield batch


class Importer:
    def __init__(
        self,
        *,
        settings: Settings,
        report: ErrorReport,
        checkpoint: Path | None,
        fingerprint: Fingerprint,
        earlier: Tally,
        advance: Callable[[int], None],
    ) -> None:
        self.settings = settings
        self.report = report
        self.checkpoint = checkpoint
        self.fingerprint = fingerprint
        self.earlier = earlier
        self.tally = Tally()  # this run's rows only
        self.last_line = 0
        self._advance = advance
        self._answered: dict[int, tuple[Batch, list[dict[str, Any]]]] = {}
        self._next = 0
        self._window = asyncio.Semaphore(settings.concurrency)
        self.failure: ImportStopped | None = None

    async def run(self, work: Iterator[Batch]) -> None:
        """Every batch sent and taken; ImportStopped (after the batches before it were taken) if one fails."""
        client = httpx.AsyncClient(
            base_url=self.settings.url, timeout=self.settings.timeout_s, headers=self.settings.headers
        )
        try:
            async with client as http, asyncio.TaskGroup() as group:
                for batch in work:
                    # Released when the batch is taken in order: at most `concurrency` batches in memory.
                    await self._window.acquire()
                    group.create_task(self._send(http, batch))
        except* ImportStopped:
            assert self.failure is not None
            raise self.failure from None

    async def _send(self, http: httpx.AsyncClient, batch: Batch) -> None:
        try:
            results = await self._post(http, batch) if batch.rows else []
        except ImportStopped as exc:
            self.failure = exc
            raise
        self._answered[batch.seq] = (batch, results)
        while (answered := self._answered.pop(self._next, None)) is not None:
            self._take(*answered)
            self._next += 1
            self._window.release()

    async def _post(self, http: httpx.AsyncClient, batch: Batch) -> list[dict[str, Any]]:
        body = {
            "rows": batch.rows,
            "on_duplicate": self.settings.on_duplicate.value,
            "dry_run": self.settings.dry_run,
        }
        headers = {"X-Correlation-ID": f"import-{self.settings.run_id}-{batch.seq}"}
        problem = ""
        wait_s = 0.0
        for _ in range(ATTEMPTS):
            await asyncio.sleep(wait_s)
            wait_s = max(1.0, wait_s * 2)
            try:
                response = await http.post("/participants/batch", json=body, headers=headers)
            except httpx.TransportError as exc:  # unreachable, reset, timed out: worth another try
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            if response.status_code == 200:
                return _results(response, len(batch.rows))
            problem = _describe(response)
            if response.status_code not in RETRYABLE:
                break
            wait_s = max(wait_s, _retry_after(response))
        raise ImportStopped(f"lines {batch.lines[0]}-{batch.last_line} were not taken: {problem}")

    def _take(self, batch: Batch, results: list[dict[str, Any]]) -> None:
        refusals = list(batch.refused)
        for line, cells, result in zip(batch.lines, batch.cells, results, strict=True):
            self.tally.count(result["status"], result.get("code"))
            if result["status"] == "invalid":
                refusals.append(Refusal(line, result["code"], result.get("detail", ""), cells))
        for refusal in sorted(refusals, key=lambda r: r.line):
            self.report.write(refusal.line, refusal.code, refusal.message, refusal.cells)
        for refusal in batch.refused:
            self.tally.count("invalid", refusal.code)
        self.report.flush()  # before the checkpoint moves past these lines
        self.last_line = batch.last_line
        if self.checkpoint is not None:
            total = Tally()
            total.add(self.earlier)
            total.add(self.tally)
            save_checkpoint(
                self.checkpoint,
                Checkpoint(batch.last_line, self.fingerprint, self.settings.on_duplicate.value, total),
            )
        self._advance(batch.size)


def _results(response: httpx.Response, sent: int) -> list[dict[str, Any]]:
    try:
        results: list[dict[str, Any]] = response.json()["results"]
    except (ValueError, KeyError, TypeError):
        raise ImportStopped(
            "the service's answer is not a batch result: is the URL registration's?"
        ) from None
    if len(results) != sent:
        raise ImportStopped(f"the service answered {len(results)} results for {sent} rows")
    return results


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(float(response.headers.get("retry-after", "0")), 60.0)
    except ValueError:
        return 0.0


def _describe(response: httpx.Response) -> str:
    try:
        body = response.json()
        return f"HTTP {response.status_code} {body.get('code', '')}: {body.get('detail', '')}"
    except ValueError:
        return f"HTTP {response.status_code}"


class Stopped(Exception):
    """The command ends early: a message for the operator and the exit code."""

    def __init__(self, exit_code: int, message: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Outcome:
    whole: Tally  # every row of the file, this run and the interrupted ones before it
    run_rows: int
    seconds: float
    resumed_after: int
    report: ErrorReport
    dry_run: bool

    def summary(self) -> str:
        rate = self.run_rows / max(self.seconds, 1e-9)
        s = self.whole.statuses
        made = ("would create", "would update") if self.dry_run else ("created", "updated")
        made_counts = (s["would_create"], s["would_update"]) if self.dry_run else (s["created"], s["updated"])
        lines = ["dry run: nothing was written"] if self.dry_run else []
        if self.resumed_after:
            lines.append(f"resumed after line {self.resumed_after:,}; figures below are for the whole file")
        lines.append(f"{self.run_rows:,} rows in {self.seconds:.1f} s ({rate:,.0f} rows/s)")
        lines.append(
            f"{made[0]} {made_counts[0]:,} · {made[1]} {made_counts[1]:,} · "
            f"skipped {s['skipped']:,}{self.whole.reasons_of('skipped')} · "
            f"invalid {s['invalid']:,}{self.whole.reasons_of('invalid')}"
        )
        if self.report.rows:
            lines.append(f"refused rows: {self.report.path} ({self.report.rows:,} rows)")
        return "\n".join(lines)


def import_file(
    file: Path, settings: Settings, report_path: Path, *, restart: bool, console: Console
) -> Outcome:
    fingerprint = Fingerprint.of(file)
    total = count_records(file)  # MalformedFile now, before anything is sent
    progress_file = None if settings.dry_run else checkpoint_path(file)
    resume: Checkpoint | None = None
    if progress_file is not None and not restart:
        resume, why_not = load_checkpoint(progress_file, fingerprint, settings.on_duplicate.value)
        if why_not:
            console.print(
                f"not resuming: {why_not}; starting from the first line "
                "(rows already imported come back as duplicates)",
                markup=False,
            )
    earlier = resume.tally if resume else Tally()
    resume_after = resume.line if resume else 0
    with open_records(file) as (columns, records):
        if columns.ignored:
            console.print(f"ignoring unknown column(s): {', '.join(columns.ignored)}", markup=False)
        report = ErrorReport(report_path, columns.header, keep_through=resume_after if resume else None)
        columns_shown = (
            TextColumn("dry run" if settings.dry_run else "importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        bar = Progress(*columns_shown, console=console)
        task = bar.add_task("import", total=total, completed=earlier.rows)
        importer = Importer(
            settings=settings,
            report=report,
            checkpoint=progress_file,
            fingerprint=fingerprint,
            earlier=earlier,
            advance=lambda n: bar.advance(task, n),
        )
        began = time.perf_counter()
        try:
            with bar:
                asyncio.run(
                    importer.run(batches(columns, records, settings.batch_size, resume_after=resume_after))
                )
        except (ImportStopped, KeyboardInterrupt) as exc:
            where = f"every line up to {max(importer.last_line, resume_after):,} was answered"
            if progress_file is not None:
                where += f" ({progress_file.name}); run the same command again to continue"
            if isinstance(exc, KeyboardInterrupt):
                raise Stopped(EXIT_INTERRUPTED, f"interrupted: {where}") from None
            raise Stopped(EXIT_STOPPED, f"import stopped: {exc}; {where}") from None
        finally:
            report.close()
    if progress_file is not None:
        progress_file.unlink(missing_ok=True)  # finished: a re-run starts from the first line
    if not report.rows:
        report_path.unlink(missing_ok=True)
    whole = Tally()
    whole.add(earlier)
    whole.add(importer.tally)
    return Outcome(
        whole, importer.tally.rows, time.perf_counter() - began, resume_after, report, settings.dry_run
    )


@app.command("participants", help=HELP, no_args_is_help=True)
def participants_command(  # noqa: PLR0917 (typer reads the options from the signature)
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file to import")
    ],
    registration_url: Annotated[
        str, typer.Option(envvar="JAKPRENEUR_REGISTRATION_URL", help="Base URL of the registration service")
    ] = "http://127.0.0.1:8001",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report what would happen; write nothing")
    ] = False,
    on_duplicate: Annotated[
        OnDuplicate, typer.Option(case_sensitive=False, help="A NIK already registered: skip it or update it")
    ] = OnDuplicate.SKIP,
    errors: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="Error report to write (default: next to FILE, named like it with .errors.csv)",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=MAX_ROWS, help="Rows per request")] = MAX_ROWS,
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Requests in flight at once")] = 4,
    restart: Annotated[
        bool, typer.Option("--restart", help="Ignore FILE.progress and start from the first line")
    ] = False,
    token: TokenOption = None,
    timeout: Annotated[float, typer.Option(min=1.0, help="Seconds to wait for one batch's answer")] = 120.0,
) -> None:
    headers = bearer_headers(token)
    settings = Settings(
        registration_url.rstrip("/"), on_duplicate, dry_run, batch_size, concurrency, headers, timeout
    )
    report_path = errors or file.with_name(f"{file.stem}.errors.csv")
    if report_path.resolve() == file.resolve() or not report_path.parent.is_dir():
        typer.echo("--errors must be a file in an existing folder, other than the file imported", err=True)
        raise typer.Exit(EXIT_MALFORMED)
    console = Console()
    try:
        outcome = import_file(file, settings, report_path, restart=restart, console=console)
    except (MalformedFile, UnsafeReport) as exc:
        typer.echo(f"cannot import {file.name}: {exc}", err=True)
        raise typer.Exit(EXIT_MALFORMED) from None
    except Stopped as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    console.print(outcome.summary(), markup=False, highlight=False)
    if outcome.whole.statuses["invalid"]:
        raise typer.Exit(EXIT_INVALID_ROWS)
