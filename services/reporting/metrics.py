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
    PERMIT_HOLDERS = "permit_holders"  # participants by their first issued permit: the funnel's permits stage
    MARKETED_PARTICIPANTS = (
        "marketed_participants"  # participants by their first product shown: marketing stage
    )


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


class Stage(StrEnum):
    """The seven PE-7P stages, in the order the funnel shows them."""

    REGISTRATION = "registration"
    TRAINING = "training"
    MENTORING = "mentoring"
    PERMITS = "permits"
    MARKETING = "marketing"
    FINANCIAL_REPORTING = "financial_reporting"
    FINANCING = "financing"


# The participant-level metric whose earliest date means "reached the stage".
STAGE_METRICS: dict[Stage, Metric] = {
    Stage.REGISTRATION: Metric.REGISTERED,
    Stage.TRAINING: Metric.TRAINED,
    Stage.MENTORING: Metric.MENTORED,
    Stage.PERMITS: Metric.PERMIT_HOLDERS,
    Stage.MARKETING: Metric.MARKETED_PARTICIPANTS,
    Stage.FINANCIAL_REPORTING: Metric.FINANCIAL_REPORTING,
    Stage.FINANCING: Metric.FINANCED,
}
