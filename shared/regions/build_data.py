"""Regenerate ``data/regions.json`` from the idn-area-data npm tarball (offline).

Usage (the tarball is fetched once with npm; this script never touches the network)::

    npm pack idn-area-data@4.0.1
    python -m shared.regions.build_data idn-area-data-4.0.1.tgz

Only DKI Jakarta (province 31) and the province list are kept. The codes are copied as
they are: idn-area-data uses the dotted Kemendagri codes, which is what we need.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path

PROVINCE = "31"
OUTPUT = Path(__file__).with_name("data") / "regions.json"


def _read_csv(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    member = tar.extractfile(f"package/data/{name}")
    if member is None:
        raise SystemExit(f"{name} missing from tarball")
    # v4 quotes names that contain commas or quotes, so parse as real CSV.
    return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8", newline="")))


def build(tarball: Path) -> dict[str, object]:
    raw = tarball.read_bytes()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(raw).digest()).decode()
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
        meta_file = tar.extractfile("package/package.json")
        if meta_file is None:
            raise SystemExit("package.json missing from tarball")
        meta = json.load(meta_file)
        if meta.get("name") != "idn-area-data":
            raise SystemExit(f"not an idn-area-data tarball: {meta.get('name')!r}")
        provinces = _read_csv(tar, "provinces.csv")
        rows = [*_read_csv(tar, "regencies.csv"), *_read_csv(tar, "districts.csv")]
        rows += _read_csv(tar, "villages.csv")

    jakarta = {r["code"]: r["name"].strip() for r in rows if r["code"].startswith(PROVINCE + ".")}
    return {
        "provenance": {
            "source": f"npm package idn-area-data {meta['version']} "
            "(https://github.com/fityannugroho/idn-area-data), files data/*.csv",
            "integrity": integrity,
            "licence": "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/1-0/",
            "basis": "Kepmendagri No 300.2.2-2138 Tahun 2025",
            "codes": "Kemendagri (dotted), not BPS",
        },
        "provinces": {p["code"]: p["name"].strip() for p in provinces},
        # Sorted by code, so parents come before their children.
        "jakarta": dict(sorted(jakarta.items())),
    }


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit(__doc__)
    doc = build(Path(argv[1]))
    OUTPUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv)
