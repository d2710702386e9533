"""Regenerate the region data from the idn-area-data npm tarball (offline).

Usage (the tarball is fetched once with npm; this script never touches the network)::

    npm pack idn-area-data@4.0.1
    python -m shared.regions.build_data idn-area-data-4.0.1.tgz

Writes `data/regions.json` (provenance, the 38 provinces and each one's counts per level) and, per
province, `data/provinces/<code>.json.gz` ({code: name} of its kabupaten/kota, kecamatan and
kelurahan/desa, sorted by code), so a service loads only the provinces it needs. The codes are copied as
they are: idn-area-data uses the dotted Kemendagri codes, which is what we need.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import sys
import tarfile
from collections import defaultdict
from pathlib import Path

from shared.regions.source import INDEX, PROVINCES, count_levels, province_file


def _read_csv(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    member = tar.extractfile(f"package/data/{name}")
    if member is None:
        raise SystemExit(f"{name} missing from tarball")
    # v4 quotes names that contain commas or quotes, so parse as real CSV.
    return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8", newline="")))


def compressed(regions: dict[str, str]) -> bytes:
    """A province's rows as gzip JSON; mtime 0, so the same data gives the same bytes."""
    text = json.dumps(regions, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def build(tarball: Path) -> tuple[dict[str, object], dict[str, dict[str, str]]]:
    """The index document and each province's rows {code: name}."""
    raw = tarball.read_bytes()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(raw).digest()).decode()
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
        meta_file = tar.extractfile("package/package.json")
        if meta_file is None:
            raise SystemExit("package.json missing from tarball")
        meta = json.load(meta_file)
        if meta.get("name") != "idn-area-data":
            raise SystemExit(f"not an idn-area-data tarball: {meta.get('name')!r}")
        provinces = {p["code"]: p["name"].strip() for p in _read_csv(tar, "provinces.csv")}
        rows = [*_read_csv(tar, "regencies.csv"), *_read_csv(tar, "districts.csv")]
        rows += _read_csv(tar, "villages.csv")

    by_province: defaultdict[str, dict[str, str]] = defaultdict(dict)
    # Sorted by code, so parents come before their children.
    for row in sorted(rows, key=lambda r: r["code"]):
        by_province[row["code"][:2]][row["code"]] = row["name"].strip()
    if set(by_province) != set(provinces):
        raise SystemExit(f"regions of unlisted provinces: {sorted(set(by_province) - set(provinces))}")
    counts = {code: count_levels(by_province[code]) for code in sorted(provinces)}
    index: dict[str, object] = {
        "provenance": {
            "source": f"npm package idn-area-data {meta['version']} "
            "(https://github.com/fityannugroho/idn-area-data), files data/*.csv",
            "integrity": integrity,
            "licence": "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1-0/",
            "basis": "Kepmendagri No 300.2.2-2138 Tahun 2025",
            "codes": "Kemendagri (dotted), not BPS",
            "files": "provinces/<code>.json.gz: gzip JSON {code: name} of the province's regions",
        },
        "provinces": dict(sorted(provinces.items())),
        "counts": counts,
    }
    return index, dict(by_province)


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    index, by_province = build(Path(argv[1]))
    PROVINCES.mkdir(parents=True, exist_ok=True)
    for code, regions in sorted(by_province.items()):
        province_file(code).write_bytes(compressed(regions))
    INDEX.write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {INDEX} and {len(by_province)} files in {PROVINCES}")


if __name__ == "__main__":
    main(sys.argv)
