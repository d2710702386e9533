"""Sections of docs/benchmarks.md that scripts other than `python -m benchmarks` write, each between its
own markers. `python -m benchmarks` rewrites the file above them and keeps them as they stand."""

from __future__ import annotations

SECTIONS = ("officers",)  # benchmarks.officers


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def replace(text: str, name: str, body: str) -> str:
    """`text` with the section's body replaced (the section appended when absent)."""
    begin, end = markers(name)
    section = f"{begin}\n{body.strip()}\n{end}"
    if begin in text and end in text:
        return text[: text.index(begin)] + section + text[text.index(end) + len(end) :]
    return f"{text.rstrip()}\n\n{section}\n"


def kept(text: str) -> str:
    """Every marked section of `text`, as it stands, for a rewrite of the rest."""
    found = []
    for name in SECTIONS:
        begin, end = markers(name)
        if begin in text and end in text:
            found.append(text[text.index(begin) : text.index(end) + len(end)])
    return "".join(f"\n{section}\n" for section in found)
