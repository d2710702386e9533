"""Financial reports for closed business periods, and bank financing applied for, decided and disbursed.

About 10 % of participants report; about 3 % receive financing, most often KUR through Bank DKI or BRI.
"""

from __future__ import annotations

import random
from calendar import monthrange
from dataclasses import replace
from datetime import date, timedelta

from operator_cli.demo.days import later_workday
from operator_cli.demo.model import Financing, Period, PermitCase, Person, Report
from operator_cli.demo.people import weighted
from shared.contracts.enums import FinancingProduct, PermitType, Sector

REPORT_RATE = 0.17  # of people with a business, times drive
KEEPS_REPORTING = 0.7
CADENCE_MONTHS = {3: 0.6, 6: 0.25, 12: 0.15}
MONTHLY_REVENUE = {Sector.PERDAGANGAN: 20e6, Sector.KULINER: 15e6, Sector.JASA: 10e6}
DEFAULT_MONTHLY_REVENUE = 12e6

FINANCING_RATE = 0.085  # of people with a business, times drive; more with an NIB (KUR needs one)
NIB_BOOST, NO_NIB = 1.8, 0.4
LENDERS = {"Bank DKI": 38, "BRI": 25, "BNI": 10, "Bank Mandiri": 10, "BSI": 10, "BPR Jakarta": 7}
PRODUCTS = {  # weight, smallest and largest amount in rupiah
    FinancingProduct.KUR_SUPER_MIKRO: (35, 2_000_000, 10_000_000),
    FinancingProduct.KUR_MIKRO: (35, 10_000_000, 100_000_000),
    FinancingProduct.KUR_KECIL: (7, 100_000_000, 500_000_000),
    FinancingProduct.KREDIT_MODAL_KERJA: (13, 25_000_000, 200_000_000),
    FinancingProduct.LAINNYA: (10, 5_000_000, 50_000_000),
}
REJECTED = 0.18
DISBURSED = 0.95
REASONS = (
    "Kapasitas pembayaran belum memadai",
    "Riwayat kredit (SLIK OJK) bermasalah",
    "Dokumen usaha belum lengkap",
    "Usaha belum berjalan enam bulan",
)
STEP = 500_000  # banks decide in round amounts


def business_period(day: date, months: int) -> tuple[date, date]:
    """The calendar quarter, half-year or year containing `day`."""
    first_month = (day.month - 1) // months * months + 1
    year, last_month = day.year, first_month + months - 1
    return date(year, first_month, 1), date(year, last_month, monthrange(year, last_month)[1])


class FinancePlanner:
    def __init__(self, rng: random.Random, period: Period) -> None:
        self.rng = rng
        self.period = period

    def reports(self, person: Person, drive: float) -> tuple[Report, ...]:
        """Consecutive closed periods, each reported within weeks of closing, from soon after registering."""
        rng = self.rng
        if person.sector is None or rng.random() >= REPORT_RATE * drive:
            return ()
        months = weighted(rng, CADENCE_MONTHS)
        monthly = rng.lognormvariate(0, 0.7) * MONTHLY_REVENUE.get(person.sector, DEFAULT_MONTHLY_REVENUE)
        employees = round(rng.lognormvariate(0.8, 0.6))
        reports = []
        start, end = business_period(later_workday(rng, person.registered_on, 45), months)
        while (submitted_on := later_workday(rng, end, 12, 0.5)) <= self.period.end:
            revenue = round(monthly * months * rng.uniform(0.8, 1.25), -4)
            expenses = round(revenue * rng.uniform(0.55, 0.95), -4)
            reports.append(Report(start, end, int(revenue), int(expenses), employees, submitted_on))
            if rng.random() >= KEEPS_REPORTING:
                break
            monthly *= rng.uniform(0.95, 1.15)
            employees = max(0, employees + rng.choice((-1, 0, 0, 0, 1)))
            start, end = business_period(end + timedelta(days=1), months)
        return tuple(reports)

    def financing(
        self, person: Person, drive: float, permits: tuple[PermitCase, ...]
    ) -> tuple[Financing, ...]:
        rng = self.rng
        nib = next((p.issued_on for p in permits if p.permit_type is PermitType.NIB and p.issued_on), None)
        rate = FINANCING_RATE * drive * (NIB_BOOST if nib else NO_NIB)
        if person.sector is None or rng.random() >= rate:
            return ()
        applied_on = later_workday(rng, nib or person.registered_on, 60, 0.8)
        if applied_on > self.period.end:
            return ()
        product = weighted(rng, {p: w for p, (w, _, _) in PRODUCTS.items()})
        _, low, high = PRODUCTS[product]
        amount = round(rng.uniform(low, high) / STEP) * STEP
        case = Financing(weighted(rng, LENDERS), product, amount, applied_on)
        decided_on = later_workday(rng, applied_on, 14, 0.5)
        if decided_on > self.period.end:
            return (case,)
        if rng.random() < REJECTED:
            return (replace(case, rejected_on=decided_on, reason=rng.choice(REASONS)),)
        approved = max(STEP, round(amount * rng.choice((1.0, 1.0, 0.8, 0.6)) / STEP) * STEP)
        disbursed_on = later_workday(rng, decided_on, 5, 0.5)
        paid = disbursed_on <= self.period.end and rng.random() < DISBURSED
        return (
            replace(
                case,
                approved_amount=approved,
                approved_on=decided_on,
                disbursed_on=disbursed_on if paid else None,
            ),
        )
