"""Readable names for breakdown rows (Indonesian, as leadership reads them)."""

from services.reporting.metrics import NO_SECTOR, Dimension
from shared.contracts.enums import Agency, Gender, Sector
from shared.regions import programme_area

AGENCY_NAMES: dict[str, str] = {
    "PPKUKM": "Dinas Perindustrian, Perdagangan, Koperasi dan UKM",
    "PPAPP": "Dinas Pemberdayaan, Perlindungan Anak dan Pengendalian Penduduk",
    "KPKP": "Dinas Ketahanan Pangan, Kelautan dan Pertanian",
    "PAREKRAF": "Dinas Pariwisata dan Ekonomi Kreatif",
    "SOSIAL": "Dinas Sosial",
    "NAKERTRANSGI": "Dinas Tenaga Kerja, Transmigrasi dan Energi",
}
GENDER_NAMES: dict[str, str] = {"F": "Perempuan", "M": "Laki-laki"}


def known_keys(by: Dimension) -> list[str]:
    """Every value a breakdown row can have, so rows are zero-filled and stable (a national area's regions:
    only the rows counted, thousands of kecamatan would be zeros)."""
    area = programme_area()
    kota = () if area.national else area.tree().kota
    match by:
        case Dimension.KOTA:
            return [k.code for k in kota]
        case Dimension.KECAMATAN:
            return [kec.code for k in kota for kec in k.kecamatan]
        case Dimension.GENDER:
            return [g.value for g in Gender]
        case Dimension.SECTOR:
            return [*(s.value for s in Sector), NO_SECTOR]
        case Dimension.AGENCY:
            return [a.value for a in Agency]


def label(by: Dimension, key: str) -> str:
    match by:
        case Dimension.KOTA | Dimension.KECAMATAN:
            return programme_area().label(key) or key
        case Dimension.GENDER:
            return GENDER_NAMES.get(key, key)
        case Dimension.SECTOR:
            return "Tanpa usaha" if key == NO_SECTOR else key.capitalize()
        case Dimension.AGENCY:
            return AGENCY_NAMES.get(key, key)
