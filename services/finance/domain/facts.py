"""What both finance facts share: whole-rupiah amounts and date rules' findings as refusals."""

from shared.errors import RuleViolation

# A thousand trillion rupiah: far above any UMKM figure, well inside a 64-bit column.
MAX_RUPIAH = 10**15


def refuse(problem: str | None) -> None:
    """Turn a date rule's finding (from shared.dates) into a 422."""
    if problem:
        raise RuleViolation(problem)
