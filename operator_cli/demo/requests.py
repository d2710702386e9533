"""Request bodies of the contract v1 APIs (PRODUCT.md §4) for the facts of a plan."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from operator_cli.demo.model import (
    Curation,
    Edit,
    Enrolment,
    Exhibition,
    Financing,
    Mentor,
    PermitCase,
    Person,
    Placement,
    Product,
    Report,
    Session,
    Showing,
    TrainingClass,
)

Body = dict[str, Any]


def participant(p: Person) -> Body:
    body: Body = {
        "nik": p.nik,
        "full_name": p.full_name,
        "gender": p.gender.value,
        "birth_date": p.birth_date.isoformat(),
        "disability": p.disability,
        "domicile": {
            "kota_code": p.kota_code,
            "kecamatan_code": p.kecamatan_code,
            "kelurahan_code": p.kelurahan_code,
        },
        "agency": p.agency.value,
        "registered_on": p.registered_on.isoformat(),
    }
    if p.phone:
        body["phone"] = p.phone
    if p.email:
        body["email"] = p.email
    if p.business_name and p.sector:
        body["business"] = {"name": p.business_name, "sector": p.sector.value}
    return body


def edit(e: Edit) -> Body:
    body: Body = {"reason": e.reason}
    if e.phone:
        body["phone"] = e.phone
    if e.domicile:
        body["domicile"] = asdict(e.domicile)
    return body


def training_class(c: TrainingClass) -> Body:
    return {
        "title": c.title,
        "program": c.program.value,
        "format": c.format.value,
        "kota_code": c.kota_code,
        "venue": c.venue,
        "starts_on": c.starts_on.isoformat(),
        "ends_on": c.ends_on.isoformat(),
        "capacity": c.capacity,
    }


def enrolment(pid: str, e: Enrolment) -> Body:
    return {"participant_id": pid, "enrolled_on": e.enrolled_on.isoformat()}


def completion(pid: str, e: Enrolment) -> Body:
    assert e.completed_on is not None
    return {"participant_id": pid, "completed_on": e.completed_on.isoformat()}


WITHDRAWAL_REASON = "tidak dapat melanjutkan pelatihan"


def withdrawal(e: Enrolment) -> Body:
    assert e.withdrawn_on is not None
    return {"reason": WITHDRAWAL_REASON, "withdrawn_on": e.withdrawn_on.isoformat()}


def completions(completed_on: date, pids: list[str]) -> Body:
    return {"completed_on": completed_on.isoformat(), "participant_ids": pids}


def placement(pid: str, p: Placement) -> Body:
    return {"participant_id": pid, "employer": p.employer, "placed_on": p.placed_on.isoformat()}


def permit(pid: str, case: PermitCase) -> Body:
    return {
        "participant_id": pid,
        "permit_type": case.permit_type.value,
        "applied_on": case.applied_on.isoformat(),
    }


def issue(case: PermitCase) -> Body:
    assert case.issued_on is not None
    return {"permit_number": case.permit_number, "issued_on": case.issued_on.isoformat()}


def permit_rejection(case: PermitCase) -> Body:
    assert case.rejected_on is not None
    return {"reason": case.reason, "rejected_on": case.rejected_on.isoformat()}


def mentor(m: Mentor) -> Body:
    return {
        "staff_number": m.staff_number,
        "full_name": m.full_name,
        "kecamatan_code": m.kecamatan_code,
        "assigned_on": m.assigned_on.isoformat(),
    }


def session(pid: str, mentor_id: str, s: Session) -> Body:
    body: Body = {
        "participant_id": pid,
        "mentor_id": mentor_id,
        "held_on": s.held_on.isoformat(),
        "topic": s.topic,
    }
    if s.notes:
        body["notes"] = s.notes
    return body


def product(pid: str, p: Product) -> Body:
    body: Body = {"participant_id": pid, "name": p.name, "registered_on": p.registered_on.isoformat()}
    if p.sector:
        body["sector"] = p.sector.value
    return body


def curation(c: Curation) -> Body:
    return {
        "level": c.level.value,
        "passed": c.passed,
        "criteria": [{"name": name, "score": score} for name, score in c.criteria],
        "curated_on": c.curated_on.isoformat(),
    }


def listing(p: Product) -> Body:
    assert p.listed_on is not None
    return {"listed_on": p.listed_on.isoformat()}


def exhibition(x: Exhibition) -> Body:
    return {
        "title": x.title,
        "kind": x.kind.value,
        "scope": x.scope.value,
        "venue": x.venue,
        "starts_on": x.starts_on.isoformat(),
        "ends_on": x.ends_on.isoformat(),
    }


def showcase(product_id: str, s: Showing) -> Body:
    return {"product_id": product_id, "shown_on": s.shown_on.isoformat()}


def report(pid: str, r: Report) -> Body:
    return {
        "participant_id": pid,
        "period_start": r.period_start.isoformat(),
        "period_end": r.period_end.isoformat(),
        "revenue": r.revenue,
        "expenses": r.expenses,
        "employees": r.employees,
        "submitted_on": r.submitted_on.isoformat(),
    }


def financing(pid: str, f: Financing) -> Body:
    return {
        "participant_id": pid,
        "lender": f.lender,
        "product": f.product.value,
        "amount": f.amount,
        "applied_on": f.applied_on.isoformat(),
    }


def approval(f: Financing) -> Body:
    assert f.approved_on is not None
    return {"approved_amount": f.approved_amount, "approved_on": f.approved_on.isoformat()}


def financing_rejection(f: Financing) -> Body:
    assert f.rejected_on is not None
    return {"reason": f.reason, "rejected_on": f.rejected_on.isoformat()}


def disbursement(f: Financing) -> Body:
    assert f.disbursed_on is not None
    return {"amount": f.approved_amount, "disbursed_on": f.disbursed_on.isoformat()}
