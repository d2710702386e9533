"""Enumerations of the programme (PRODUCT.md §2), shared by every service and by reporting."""

from enum import StrEnum


class Gender(StrEnum):
    F = "F"
    M = "M"


class Sector(StrEnum):
    KULINER = "kuliner"
    FESYEN = "fesyen"
    KRIYA = "kriya"
    JASA = "jasa"
    AGRIBISNIS = "agribisnis"
    PERDAGANGAN = "perdagangan"
    INDUSTRI = "industri"
    LAINNYA = "lainnya"


class Agency(StrEnum):
    """The six supervising agencies; PPKUKM leads the programme."""

    PPKUKM = "PPKUKM"
    PPAPP = "PPAPP"
    KPKP = "KPKP"
    PAREKRAF = "PAREKRAF"
    SOSIAL = "SOSIAL"
    NAKERTRANSGI = "NAKERTRANSGI"


class PermitType(StrEnum):
    NIB = "NIB"
    SPP_IRT = "SPP_IRT"
    HALAL = "HALAL"
    BPOM_MD = "BPOM_MD"
    HKI = "HKI"


class TrainingProgram(StrEnum):
    ENTREPRENEURSHIP = "entrepreneurship"
    VOCATIONAL = "vocational"


class TrainingFormat(StrEnum):
    REGULAR = "regular"
    MOBILE_UNIT = "mobile_unit"


class AgeBand(StrEnum):
    """Coarse age at registration: identifies nobody, still useful to leadership."""

    UNDER_25 = "<25"
    AGE_25_34 = "25-34"
    AGE_35_44 = "35-44"
    AGE_45_54 = "45-54"
    AGE_55_PLUS = "55+"

    @classmethod
    def of_age(cls, years: int) -> "AgeBand":
        for upper, band in (
            (25, cls.UNDER_25),
            (35, cls.AGE_25_34),
            (45, cls.AGE_35_44),
            (55, cls.AGE_45_54),
        ):
            if years < upper:
                return band
        return cls.AGE_55_PLUS


class CurationLevel(StrEnum):
    """Product curation climbs kecamatan → kota → province."""

    KECAMATAN = "kecamatan"
    KOTA = "kota"
    PROVINCE = "province"


class ExhibitionKind(StrEnum):
    BAZAAR = "bazaar"
    EXHIBITION = "exhibition"


class ExhibitionScope(StrEnum):
    NATIONAL = "national"
    INTERNATIONAL = "international"


class FinancingProduct(StrEnum):
    """Bank financing products offered to participants; KUR is the subsidised People's Business Credit."""

    KUR_SUPER_MIKRO = "KUR_SUPER_MIKRO"
    KUR_MIKRO = "KUR_MIKRO"
    KUR_KECIL = "KUR_KECIL"
    KREDIT_MODAL_KERJA = "KREDIT_MODAL_KERJA"
    LAINNYA = "LAINNYA"


class TargetScope(StrEnum):
    """What a yearly target covers: the whole province, one supervising agency, one kota or kecamatan."""

    PROVINCE = "province"
    AGENCY = "agency"
    KOTA = "kota"
    KECAMATAN = "kecamatan"
