"""CSV exports of a cohort: its participants and their attendance.

Every cell that could start a spreadsheet formula is neutralised
(``core.text.neutralise_csv_cell``). The caller audits the export.
"""

import csv
import io

from ..booking.models import Cohort
from ..core.text import neutralise_csv_cell
from . import groups


def cohort_csv(cohort: Cohort) -> str:
    """One row per participant (then the waiting list): identity, contact, status, attendance."""
    sessions = [s for s in cohort.sessions if s.status != "cancelled"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = ["last_name", "first_name", "birth_year", "email", "phone", "language", "status"]
    header += [f"{s.local_start:%Y-%m-%d %H:%M} {s.workshop.title}" for s in sessions]
    header += ["workshops_attended"]
    writer.writerow([neutralise_csv_cell(h) for h in header])
    marks = {s.id: groups.attendance_map(s) for s in sessions}
    rows = groups.enrollments(cohort, "confirmed") + groups.enrollments(cohort, "waitlisted")
    for enrollment in rows:
        person = enrollment.participant
        cells = [
            person.last_name,
            person.first_name,
            person.birth_year or "",
            person.email or "",
            person.phone or "",
            person.language,
            enrollment.status,
        ]
        for session in sessions:
            mark = marks[session.id].get(person.id)
            cells.append(
                "" if mark is None else mark.status + (" +carer" if mark.carer_present else "")
            )
        cells.append(groups.workshops_attended(enrollment))
        writer.writerow([neutralise_csv_cell(c) for c in cells])
    return buffer.getvalue()
