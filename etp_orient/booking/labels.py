"""Names for people where the database has codes: a cohort reads "Groupe du mardi 6
janvier – Gonesse" rather than "grp-vaadkn9y" (the code stays in URLs and files)."""

from flask_babel import format_date
from flask_babel import gettext as _

from ..extensions import db
from .models import Cohort


def cohort_place(cohort: Cohort) -> str:
    """The commune of the cohort's site (else the site's name), or "à distance"."""
    site = cohort.site
    if site is None:
        return _("à distance")
    from ..geo.models import Commune

    commune = db.session.get(Commune, site.commune_insee) if site.commune_insee else None
    return commune.name if commune is not None else site.name


def cohort_label(cohort: Cohort) -> str:
    """ "Groupe du mardi 6 janvier – Gonesse": the first session's day (in the cohort's
    time zone; the first one not cancelled) and the place, in the reader's language."""
    live = [s for s in cohort.sessions if s.status != "cancelled"] or list(cohort.sessions)
    place = cohort_place(cohort)
    if not live:
        return _("Groupe – %(place)s", place=place)
    day = format_date(live[0].local_start.date(), "EEEE d MMMM")
    return _("Groupe du %(day)s – %(place)s", day=day, place=place)
