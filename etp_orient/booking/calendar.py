"""Slots and group sessions as calendar events (feeds and e-mail invitations alike).

The same event has the same UID, SEQUENCE and STATUS in every feed and every
invitation: ``slot-<code>@<host>`` / ``session-<code>@<host>``, SEQUENCE from
the row's revision counter, DTSTAMP/LAST-MODIFIED from the rows' update time
(never the request time, so regenerating a feed gives the same bytes).

Titles: public feeds name the programme and the workshop; personal feeds are
neutral by default ("Atelier santé – séance 2", "Rendez-vous santé"), because
they show on lock screens, unless the person chose explicit titles.
Public events never carry personal data (no video link, no manage link).
"""

from contextlib import nullcontext
from datetime import datetime

from flask import current_app, g, has_request_context
from flask_babel import force_locale, get_locale, gettext

from ..core.ical import CalEvent, event_uid
from ..extensions import db
from ..geo.models import Commune
from .models import GroupSession, Slot

# A cancellation outranks the last confirmed version even when the service
# that cancelled did not raise the revision counter.
CANCEL_SEQUENCE_BUMP = 1


def _locale(language: str | None):
    if language:
        return force_locale(language)
    if has_request_context():
        return nullcontext()
    return force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "fr"))


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _latest(*values: datetime | None) -> datetime:
    return max(v for v in values if v is not None)


def _commune_name(insee: str | None) -> str | None:
    # Remembered for the app context: a feed names the same few communes many times.
    if not insee:
        return None
    names = g.setdefault("_commune_names", {})
    if insee not in names:
        commune = db.session.get(Commune, insee)
        names[insee] = commune.name if commune else None
    return names[insee]


def site_location(site, room: str | None = None) -> str:
    """One line: room, site name, street address, postal code and commune."""
    town = " ".join(p for p in (site.postal_code, _commune_name(site.commune_insee)) if p)
    parts = [room, str(site.localized("name")), site.address, town]
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _site_lines(site) -> list[str]:
    lines = []
    if site.step_free_access is True:
        lines.append(gettext("Accès : de plain-pied, sans marche."))
    elif site.step_free_access is False:
        lines.append(gettext("Accès : il y a des marches."))
    transport = str(site.localized("transport"))
    if transport:
        lines.append(gettext("Pour venir : %(transport)s", transport=transport))
    return lines


def _place(kind: str, site, room: str | None) -> tuple[str, tuple[str, ...]]:
    """LOCATION and the practical lines of DESCRIPTION for a site (or remote).

    Remembered for the app context and language: a feed repeats the same few
    places hundreds of times.
    """
    key = (kind, site.id if site else None, site.updated_at if site else None, room)
    key += (str(get_locale()),)
    places = g.setdefault("_calendar_places", {})
    if key not in places:
        places[key] = _build_place(kind, site, room)
    return places[key]


def _build_place(kind: str, site, room: str | None) -> tuple[str, tuple[str, ...]]:
    if site is not None:
        if kind == "session":
            bring = gettext("À apporter : de quoi noter, vos lunettes si besoin.")
        else:
            bring = gettext(
                "À apporter : votre carte Vitale, vos ordonnances et vos derniers résultats."
            )
        return site_location(site, room), (bring, *_site_lines(site))
    if kind == "session":
        lines = (gettext("Séance en vidéo, depuis chez vous."),)
    elif kind == "phone":
        lines = (
            gettext("Rendez-vous par téléphone : on vous appelle."),
            gettext("À avoir près de vous : vos ordonnances et vos derniers résultats."),
        )
    else:
        lines = (
            gettext("Rendez-vous en vidéo : le lien vous est envoyé avant."),
            gettext("À avoir près de vous : vos ordonnances et vos derniers résultats."),
        )
    return gettext("À distance"), lines


def slot_cancelled_at(slot: Slot) -> datetime | None:
    """When a slot was cancelled (its last update), or None if it is not."""
    return slot.updated_at if slot.status == "cancelled" else None


def session_cancelled_at(session: GroupSession) -> datetime | None:
    """When a session was cancelled, or None; a cancelled cohort cancels its sessions."""
    if session.status == "cancelled":
        return session.cancelled_at or session.updated_at
    cohort = session.cohort
    if cohort is not None and cohort.status == "cancelled":
        return cohort.updated_at
    return None


def session_index(session: GroupSession) -> int | None:
    """1-based rank of the session among its cohort's sessions that still take place."""
    cohort = session.cohort
    if cohort is None:
        return None
    earlier = [
        s
        for s in cohort.sessions
        if s.id != session.id
        and s.status != "cancelled"
        and (s.start_at, s.id) < (session.start_at, session.id or 0)
    ]
    return len(earlier) + 1


def _description(lines: list[str | None]) -> str | None:
    text = "\n".join(line for line in lines if line)
    return text or None


def _slot_kind_title(kind: str) -> str:
    if kind == "bep":
        return gettext("Bilan éducatif partagé")
    if kind == "final":
        return gettext("Bilan de fin de programme")
    return gettext("Rendez-vous de suivi")


def _cancelled_summary(summary: str) -> str:
    return gettext("Annulé – %(title)s", title=summary)


def slot_event(
    slot: Slot,
    *,
    personal: bool = False,
    explicit_titles: bool = False,
    manage_url: str | None = None,
    cancelled_at: datetime | None = None,
    language: str | None = None,
) -> CalEvent:
    """A slot as a :class:`CalEvent`.

    ``personal``: the event goes to the person's own feed or mailbox (neutral
    title unless ``explicit_titles``; the manage link and remote details are
    added). ``cancelled_at`` marks it cancelled for this person (their booking
    was cancelled) even if the slot itself is still open.
    """
    with _locale(language):
        programme = slot.programme
        cancelled_when = cancelled_at or slot_cancelled_at(slot)
        explicit = explicit_titles or not personal
        if explicit:
            summary = f"{_slot_kind_title(slot.kind)} – {programme.localized('display_title')}"
        else:
            summary = gettext("Rendez-vous santé")
        if cancelled_when:
            summary = _cancelled_summary(summary)

        lines: list[str | None] = []
        if cancelled_when:
            lines.append(gettext("Ce rendez-vous est annulé."))
        kind = "slot" if slot.site is not None else ("phone" if slot.remote == "phone" else "video")
        location, practical = _place(kind, slot.site, None)
        lines.extend(practical)
        if personal and manage_url:
            lines.append(gettext("Pour annuler ou déplacer : %(url)s", url=manage_url))

        base = _base_url()
        updated = _latest(slot.updated_at, cancelled_at)
        return CalEvent(
            uid=event_uid("slot", slot.code, base),
            start=slot.start_at,
            end=slot.end_at,
            timezone=slot.timezone,
            summary=summary,
            updated=updated,
            sequence=slot.revision + (CANCEL_SEQUENCE_BUMP if cancelled_when else 0),
            cancelled=bool(cancelled_when),
            location=location,
            description=_description(lines),
            url=f"{base}/rdv/{slot.code}",
        )


def session_event(
    session: GroupSession,
    *,
    personal: bool = False,
    explicit_titles: bool = False,
    manage_url: str | None = None,
    index: int | None = None,
    cancelled_at: datetime | None = None,
    language: str | None = None,
) -> CalEvent:
    """A group session as a :class:`CalEvent`.

    ``index`` is the session's rank in its cohort ("séance 2"); computed when
    not given. ``cancelled_at`` marks it cancelled for this person (they left
    the group) even if the session itself still takes place.
    """
    with _locale(language):
        cohort = session.cohort
        workshop = session.workshop
        programme = cohort.programme if cohort is not None else workshop.programme
        if index is None:
            index = session_index(session)
        cancelled_when = cancelled_at or session_cancelled_at(session)
        explicit = explicit_titles or not personal

        if explicit:
            summary = f"{workshop.localized('title')} – {programme.localized('display_title')}"
        elif index:
            summary = gettext("Atelier santé – séance %(n)s", n=index)
        else:
            summary = gettext("Atelier santé")
        if cancelled_when:
            summary = _cancelled_summary(summary)

        site = session.site or (cohort.site if cohort is not None else None)
        video_url = session.video_url or (cohort.video_url if cohort is not None else None)
        lines: list[str | None] = []
        if cancelled_when:
            lines.append(gettext("Cette séance est annulée."))
        if explicit and workshop.summary_plain:
            lines.append(str(workshop.localized("summary_plain")))
        location, practical = _place("session", site, session.room if site else None)
        lines.extend(practical)
        if personal and video_url and not cancelled_when:
            lines.append(gettext("Lien de la vidéo : %(url)s", url=video_url))
        if personal and manage_url:
            lines.append(
                gettext("Pour ne plus venir ou poser une question : %(url)s", url=manage_url)
            )

        base = _base_url()
        if cohort is not None:
            url = f"{base}/groupes/{cohort.code}"
        else:
            url = f"{base}/programmes/{programme.code}"
        updated = _latest(
            session.updated_at,
            cohort.updated_at if cohort is not None and cohort.status == "cancelled" else None,
            cancelled_at,
        )
        return CalEvent(
            uid=event_uid("session", session.code, base),
            start=session.start_at,
            end=session.end_at,
            timezone=session.timezone,
            summary=summary,
            updated=updated,
            sequence=session.revision + (CANCEL_SEQUENCE_BUMP if cancelled_when else 0),
            cancelled=bool(cancelled_when),
            location=location,
            description=_description(lines),
            url=url,
        )
