"""The metrics of PRODUCT.md §3 and the breakdown dimensions every metric is counted by."""

from enum import StrEnum


class Metric(StrEnum):
    REGISTERED = "registered"
    TRAINED = "trained"
    MENTORED = "mentored"
    PERMITS_ISSUED = "permits_issued"
    PRODUCTS_MARKETED = "products_marketed"
    FINANCIAL_REPORTING = "financial_reporting"
    FINANCED = "financed"
    VOCATIONAL_TRAINED = "vocational_trained"
    VOCATIONAL_PLACED = "vocational_placed"


class Dimension(StrEnum):
    KOTA = "kota"
    KECAMATAN = "kecamatan"
    GENDER = "gender"
    SECTOR = "sector"
    AGENCY = "agency"


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


NO_SECTOR = "none"  # participants who declared no business still count, in their own row
