"""`python -m devstack.copies`: fails when two services share a run of six or more lines (issue 12 point 10),
the same lines or the same shape with other names.

pylint's duplicate-code engine (`Symilar`) finds the runs, every pair of files' common runs; imports,
signatures, docstrings and comments are left out (blanked here, as pylint's ignore options would), as they
say nothing about copied logic. Runs of one shape
are found by the same engine over each file's shape (`shape_of`). Runs repeated inside one service are that
service's own business: only pairs between two services fail. Migrations are left out: each service's schema
history is its own, even where the tables look alike. Run by `make lint`.

The pairs come from `Symilar._iter_sims` rather than pylint's report: the report groups a run by its first
place and drops a third one, so a copy between two services hid behind the same lines twice in one service.
"""

from __future__ import annotations

import argparse
import ast
import io
import keyword
import sys
import time
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pylint.checkers.symilar import Symilar

MIN_LINES = 6


@dataclass(frozen=True, order=True)
class Place:
    path: str
    start: int  # 0-based first line, end excluded (as Symilar counts)
    end: int

    @property
    def service(self) -> str | None:
        parts = Path(self.path).parts
        at = parts.index("services") if "services" in parts else -1
        return parts[at + 1] if 0 <= at < len(parts) - 2 else None

    def __str__(self) -> str:
        return f"{self.path}:{self.start + 1}-{self.end}"


@dataclass(frozen=True, order=True)
class Pair:
    first: Place
    second: Place
    lines: int  # how many lines they share, blank and left-out lines not counted

    @property
    def across(self) -> bool:
        return None not in (self.first.service, self.second.service) and (
            self.first.service != self.second.service
        )

    def __str__(self) -> str:
        return f"{self.first} ~ {self.second} ({self.lines} lines)"


def sources(paths: Sequence[Path]) -> list[Path]:
    """The Python files under the paths, migrations left out."""
    found = [f for p in paths for f in (sorted(p.rglob("*.py")) if p.is_dir() else [p])]
    return [f for f in found if "migrations" not in f.parts]


def pairs(texts: Iterable[tuple[str, str]], min_lines: int = MIN_LINES) -> list[Pair]:
    """Every pair of places, in two of the (path, text) files, that share `min_lines` lines or more (blank
    lines and comments not counted)."""
    engine = Symilar(min_lines=min_lines, ignore_comments=True)
    for path, text in texts:
        engine.append_stream(path, io.StringIO(text))
    found: set[Pair] = set()
    for common in engine._iter_sims():  # every pair of files' runs (see the module's docstring)
        first = Place(common.fst_lset.name, common.fst_file_start, common.fst_file_end)
        second = Place(common.snd_lset.name, common.snd_file_start, common.snd_file_end)
        found.add(Pair(min(first, second), max(first, second), common.cmn_lines_nb))
    return sorted(found)


def exact_of(source: str) -> str:
    """The source with the lines no run counts blanked (what pylint's ignore options leave out, found with
    `ast` in a fraction of astroid's time)."""
    blank = left_out(source, fields=False)
    return "\n".join("" if n in blank else line for n, line in enumerate(source.splitlines(), 1)) + "\n"


def shared_pairs(files: Sequence[Path], min_lines: int = MIN_LINES, *, shape: bool = False) -> list[Pair]:
    """The pairs of places in two different services that share `min_lines` lines, or shapes."""
    prepare = shape_of if shape else exact_of
    texts = [(str(f), prepare(f.read_text())) for f in files]
    return [p for p in pairs(texts, min_lines) if p.across]


def left_out(source: str, *, fields: bool) -> set[int]:
    """The lines no run counts (imports, signatures with their decorators, docstrings), and, for shapes, a
    class's fields: `name: type = default` lines declare, whatever their shape, they copy no logic."""
    out: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if fields and isinstance(node, ast.ClassDef):
            for field in node.body:
                if isinstance(field, ast.AnnAssign):
                    out.update(range(field.lineno, (field.end_lineno or field.lineno) + 1))
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            out.update(range(first, node.body[0].lineno))
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            head = node.body[0] if node.body else None
            if isinstance(head, ast.Expr) and isinstance(head.value, ast.Constant):
                out.update(range(head.lineno, (head.end_lineno or head.lineno) + 1))
    return out


def shape_of(source: str) -> str:
    """The source with its names (but attributes and keyword arguments), strings and numbers replaced by one
    placeholder, line for line, so that exact matching finds runs of the same shape with other names. Left
    blank: what exact runs leave out, and lines of fewer than five tokens (a field, a bare return, a closing
    bracket), alike everywhere."""
    kept = (tokenize.NAME, tokenize.STRING, tokenize.NUMBER, tokenize.OP)
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type in kept]
    lines: dict[int, list[str]] = {}
    depth = 0
    for at, token in enumerate(tokens):
        text = token.string
        depth += (text in "([{") - (text in ")]}") if token.type == tokenize.OP else 0
        before = tokens[at - 1].string if at else ""
        after = tokens[at + 1].string if at + 1 < len(tokens) else ""
        # An attribute or a keyword argument keeps its name: `report_id=self.report_id` and
        # `product_id=self.product_id` are two events' fields, not one line copied.
        named = before == "." or (depth > 0 and after == "=")
        if token.type == tokenize.NAME and not keyword.iskeyword(text) and not named:
            text = "N"
        elif token.type == tokenize.STRING:
            text = "S"
        elif token.type == tokenize.NUMBER:
            text = "0"
        lines.setdefault(token.start[0], []).append(text)
    blank = left_out(source, fields=True)
    out = []
    for number, line in enumerate(source.splitlines(), 1):
        shaped = lines.get(number, [])
        indent = line[: len(line) - len(line.lstrip())]
        out.append("" if number in blank or len(shaped) < 5 else indent + " ".join(shaped))
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.copies", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("services")])
    parser.add_argument("--min-lines", type=int, default=MIN_LINES)
    args = parser.parse_args(argv)
    started = time.monotonic()
    files = sources(args.paths)
    failed = False
    for kind, shape in (("the same lines", False), ("the same shape", True)):
        found = shared_pairs(files, args.min_lines, shape=shape)
        for pair in found:
            print(f"{kind}: {pair}")
        print(f"{len(found)} pairs of places in two services with {kind} ({args.min_lines}+ lines)")
        failed = failed or bool(found)
    print(f"{len(files)} files in {time.monotonic() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
