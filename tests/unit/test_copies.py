"""`python -m devstack.copies` (run by `make lint`) fails on a run of six lines two services share, the same
lines or the same shape with other names, and lets a service repeat itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.copies import main, shared_pairs, sources

PAGING = '''
async def page(conn, query, limit):
    """Docstrings differ and do not count."""
    rows = (await conn.execute(query.limit(limit + 1))).all()
    shown = list(rows[:limit])
    last = shown[-1] if len(rows) > limit else None
    if last is not None:
        log.info("more after %s", last.seq)
    total = sum(row.amount for row in shown)
    return shown, last, total
'''


def _tree(tmp_path: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        path = tmp_path / "services" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sources([tmp_path / "services"])


def _shared(files: list[Path], *, shape: bool) -> set[tuple[str | None, str | None]]:
    return {(p.first.service, p.second.service) for p in shared_pairs(files, shape=shape)}


def _renamed(text: str) -> str:
    for old, new in (
        ("rows", "found"),
        ("shown", "items"),
        ("last", "final"),
        ("total", "amount"),
        ("more", "x"),
    ):
        text = text.replace(old, new)
    return text


def test_the_same_lines_in_two_services_fail_but_not_within_one(tmp_path: Path) -> None:
    # pylint's own report would show only alpha's two copies: it drops a run's third place.
    files = _tree(
        tmp_path,
        {
            "alpha/a.py": PAGING,
            "alpha/again.py": PAGING.replace("page", "other_page"),
            "beta/b.py": PAGING.replace("Docstrings differ", "Another docstring"),
            "gamma/migrations/versions/0001.py": PAGING,  # migrations are left out
        },
    )
    assert not any("migrations" in f.parts for f in files)
    assert _shared(files, shape=False) == {("alpha", "beta")}


def test_the_same_shape_with_other_names_fails(tmp_path: Path) -> None:
    files = _tree(tmp_path, {"alpha/a.py": PAGING, "beta/b.py": _renamed(PAGING)})
    assert _shared(files, shape=False) == set()  # not the same lines …
    assert _shared(files, shape=True) == {("alpha", "beta")}  # … but the same shape


def test_fields_and_keyword_arguments_are_not_copies(tmp_path: Path) -> None:
    fields = "\n".join(f"    {name}: int | None = None" for name in "abcdefgh")
    keywords = "\n".join(f"        {name}=self.{name}," for name in "abcdefgh")
    others = "\n".join(f"    {name}: int | None = None" for name in "pqrstuvw")
    other_kw = "\n".join(f"        {name}=self.{name}," for name in "pqrstuvw")
    files = _tree(
        tmp_path,
        {
            "alpha/a.py": f"class A:\n{fields}\n\n    def e(self):\n        return E(\n{keywords}\n    )\n",
            "beta/b.py": f"class B:\n{others}\n\n    def e(self):\n        return E(\n{other_kw}\n    )\n",
        },
    )
    assert _shared(files, shape=True) == set()


def test_the_command_fails_on_a_copy_and_passes_without(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path, {"alpha/a.py": PAGING, "beta/b.py": _renamed(PAGING)})
    assert main([str(tmp_path / "services")]) == 1
    assert "services/alpha/a.py:4-10 ~ " in capsys.readouterr().out
    (tmp_path / "services" / "beta" / "b.py").write_text("def page():\n    return None\n")
    assert main([str(tmp_path / "services")]) == 0
