"""Load a back-office object by its code, then check the user's role in its structures.

Each loader answers 404 when the object does not exist *or* belongs to no
structure of the user (so structure B's objects do not exist for structure A),
403 when the user may read but not change it. Views call them first, then act.
"""

from flask import abort
from sqlalchemy import select

from ..accounts.permissions import check_structures
from ..booking.models import Cohort, GroupSession, Slot
from ..catalogue.models import Programme, Site
from ..extensions import db


def programme_structures(programme: Programme) -> set[int]:
    return {s.id for s in programme.structures}


def cohort_structures(cohort: Cohort) -> set[int]:
    return programme_structures(cohort.programme)


def session_structures(session: GroupSession) -> set[int]:
    if session.cohort is not None:
        return cohort_structures(session.cohort)
    return programme_structures(session.workshop.programme)


def _one(model, code: str):
    if not code or len(code) > 80:
        abort(404)
    obj = db.session.scalar(select(model).where(model.code == code))
    if obj is None:
        abort(404)
    return obj


def load_programme(code: str, level: str = "read") -> Programme:
    programme = _one(Programme, code)
    check_structures(programme_structures(programme), level)
    return programme


def load_site(code: str, level: str = "read") -> Site:
    site = _one(Site, code)
    check_structures({site.structure_id}, level)
    return site


def load_cohort(code: str, level: str = "read") -> Cohort:
    cohort = _one(Cohort, code)
    check_structures(cohort_structures(cohort), level)
    return cohort


def load_session(code: str, level: str = "read") -> GroupSession:
    session = _one(GroupSession, code)
    check_structures(session_structures(session), level)
    return session


def load_slot(code: str, level: str = "read") -> Slot:
    slot = _one(Slot, code)
    check_structures(programme_structures(slot.programme), level)
    return slot
