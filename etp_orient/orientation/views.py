"""Orientation pages: the patient's steps and results, the professional's quick orientation."""

from io import BytesIO

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..catalogue.territory import platform_contact, territory_contact
from ..core.clock import now
from ..core.i18n import current_language
from ..core.security import private_page
from ..extensions import db, limiter
from . import services
from .availability import open_bep_slots
from .explain import condition_label, day_filter, reasons_text, slot_filter, translator
from .forms import ProOrientForm, ReferralForm, SendLinkForm, WhereForm, query_values
from .index import get_index
from .matching import OrientationQuery, QueryError, orient
from .twins import twin_lines

bp = Blueprint("orientation", __name__)

# Anyone may make a referral and send its link (a professional needs no account),
# so both are limited per address: otherwise the site mails any address at will.
REFERRAL_LIMIT = "30 per hour"
SEND_LINK_LIMIT = "20 per hour"

PARAMS = ("q", "condition", "commune", "age", "pregnant", "format", "radius_km")

FIELD_MESSAGES = {
    "commune_not_found": lambda: _(
        "Nous ne trouvons pas cette commune. Vérifiez l'orthographe ou écrivez le code postal."
    ),
    "commune_ambiguous": lambda: _("Plusieurs communes correspondent. Choisissez la vôtre."),
    "missing": lambda: _("Dites-nous ce que vous avez : touchez une image ou écrivez un mot."),
    "unknown_condition": lambda: _("Cette maladie n'est pas dans notre liste."),
    "invalid": lambda: _("Cette valeur n'est pas valide."),
}


def _conditions_from_args() -> list[str]:
    codes = []
    for raw in request.args.getlist("condition"):
        codes += [c.strip() for c in raw.split(",") if c.strip()]
    return codes


def _tiles() -> list[dict]:
    """The pictogram buttons: the top of the taxonomy, in display order."""
    index = get_index()
    roots = [n for n in index.conditions.values() if not n["parent_code"]]
    return [
        {
            "code": n["code"],
            "label": condition_label(n["code"], index.conditions),
            "pictogram": n["pictogram"],
        }
        for n in sorted(roots, key=lambda n: n["position"])
    ]


def _understood_labels(codes: list[str]) -> list[str]:
    conditions = get_index().conditions
    return [condition_label(c, conditions) for c in codes if c in conditions]


def _needs_pregnancy_question(codes: list[str], q: str) -> bool:
    index = get_index()
    if not codes and not q:
        return True
    named = list(codes)
    if q:
        named += index.matcher.match_text(q, current_language()).direct_codes
    if not named:
        return True
    return any(c == "diabete" or c.startswith("diabete") for c in named)


@bp.get("/orientation")
def start():
    """Step 1 (what you have) or, once known, step 2 (where you live)."""
    q = request.args.get("q", "").strip()[:300]
    codes = _conditions_from_args()
    if not q and not codes:
        error = (
            _("Touchez une image ou écrivez quelques mots.") if "etape" in request.args else None
        )
        return render_template("orientation/step_what.html", tiles=_tiles(), q=q, error=error), (
            200
        )
    form = WhereForm(formdata=None)
    return _render_where(form, q, codes)


def _render_where(form, q, codes, candidates=None, status=200):
    index = get_index()
    named = list(codes)
    if q:
        named += [
            c
            for c in index.matcher.match_text(q, current_language()).direct_codes
            if c not in named
        ]
    return (
        render_template(
            "orientation/step_where.html",
            form=form,
            q=q,
            codes=codes,
            understood=_understood_labels(named),
            ask_pregnancy=_needs_pregnancy_question(codes, q),
            candidates=candidates or [],
        ),
        status,
    )


def _run_query(form, q: str, codes: list[str]):
    """Validate the form and orient; returns (orientation, candidates) — orientation is
    None when a field got an error (attached to the form)."""
    if not form.validate():
        return None, []
    try:
        return orient(
            OrientationQuery(
                q=q, conditions=codes, language=current_language(), **query_values(form)
            ),
            now(),
        ), []
    except QueryError as error:
        message = FIELD_MESSAGES.get(error.reason, FIELD_MESSAGES["invalid"])()
        field = getattr(form, error.field, None)
        if field is None or error.field in ("q", "condition"):
            field = form.commune if error.field == "commune" else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
        return None, error.candidates


def _results_context(orientation) -> dict:
    conditions = get_index().conditions
    translate = translator()
    texts: dict[int, list[str]] = {}

    def reasons(result) -> list[str]:
        """A result's reason texts, computed once per request (a card may be shown
        in more than one place)."""
        key = id(result)
        if key not in texts:
            texts[key] = reasons_text(result, conditions, translate)
        return texts[key]

    return {
        "orientation": orientation,
        "reasons": reasons,
        # "Structure, Town" under the results that share a title
        "whom": twin_lines(orientation),
        "understood": _understood_labels(orientation.named_conditions),
        "platform_contact": (
            territory_contact(orientation.place.insee, orientation.place.departement)
            if orientation.nothing_nearby
            else None
        ),
        "params": {k: request.args.getlist(k) for k in PARAMS if request.args.getlist(k)},
    }


@bp.get("/orientation/resultats")
def results():
    """The results as a list (same parameters as the API); logs one anonymous row."""
    q = request.args.get("q", "").strip()[:300]
    codes = _conditions_from_args()
    if not q and not codes:
        return redirect(url_for("orientation.start"))
    form = WhereForm(formdata=request.args)
    orientation, candidates = _run_query(form, q, codes)
    if orientation is None:
        return _render_where(form, q, codes, candidates)
    services.record_orientation(orientation, "patient")
    return render_template("orientation/results.html", **_results_context(orientation))


@bp.get("/orientation/carte")
def results_map():
    """The same results on a map (Leaflet is loaded on this page only)."""
    q = request.args.get("q", "").strip()[:300]
    codes = _conditions_from_args()
    form = WhereForm(formdata=request.args)
    orientation, candidates = _run_query(form, q, codes) if (q or codes) else (None, [])
    if orientation is None:
        return redirect(url_for("orientation.start", **request.args))
    return render_template(
        "orientation/map.html",
        tile_url=current_app.config["MAP_TILE_URL"],
        attribution=current_app.config["MAP_ATTRIBUTION"],
        **_results_context(orientation),
    )


# --- professionals -------------------------------------------------------------------


def _pro_condition_choices() -> list[tuple[str, str]]:
    index = get_index()
    choices = [SelectChoice("", _("Choisir dans la liste"))]
    for node in sorted(index.conditions.values(), key=lambda n: n["position"]):
        label = node["label"]
        if node["parent_code"]:
            label = "— " + label
        choices.append(SelectChoice(node["code"], label))
    return choices


@bp.get("/pro/orienter")
def pro_orient():
    """One screen: condition + commune + age (+ pregnancy) → results to choose from."""
    submitted = bool(request.args)
    form = ProOrientForm(formdata=request.args if submitted else None)
    form.condition.choices = _pro_condition_choices()
    orientation, candidates = None, []
    if submitted:
        q = (form.q.data or "").strip()
        codes = [form.condition.data] if form.condition.data else []
        if codes and codes[0] not in get_index().conditions:
            form.validate()
            form.condition.errors = [_("Choisissez une pathologie dans la liste.")]
        elif not q and not codes:
            form.validate()
            form.condition.errors = [_("Choisissez une pathologie ou écrivez quelques mots.")]
        else:
            orientation, candidates = _run_query(form, q, codes)
        if orientation is not None:
            services.record_orientation(orientation, "professional")
    context = _results_context(orientation) if orientation is not None else {}
    return render_template(
        "orientation/pro.html",
        form=form,
        candidates=candidates,
        referral_form=ReferralForm(),
        **context,
    )


@bp.post("/pro/orienter/<code>")
@limiter.limit(REFERRAL_LIMIT)
def pro_refer(code: str):
    """Choosing a programme: a referral with a short code, then its sheet."""
    form = ReferralForm()
    if not form.validate_on_submit():
        abort(400)
    programme = services.published_programme(code)
    if programme is None:
        abort(404)
    user = current_user if current_user.is_authenticated else None
    referral = services.create_referral(programme, referrer=user)
    db.session.commit()
    return redirect(url_for("orientation.sheet", code=referral.code))


def _qr_svg(data: str) -> Markup:
    qr = segno.make(data, error="m")
    out = BytesIO()
    qr.save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title=None)
    svg = out.getvalue().decode("utf-8")
    svg = svg.replace("<svg ", '<svg role="img" aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)  # noqa: S704  (segno output, no user text in it)


def _sheet_context(referral, send_form):
    link = services.booking_link(referral)
    return {
        "referral": referral,
        "programme": referral.programme,
        # the sheet is the referrer's too: it tells no more than whether the code expired
        "status": services.issued_status(referral),
        "link": link,
        "qr": _qr_svg(link),
        "slots": open_bep_slots(referral.programme, now(), limit=6),
        "send_form": send_form,
        "platform_contact": platform_contact(),
    }


@bp.get("/pro/orientation/<code>")
def sheet(code: str):
    """The referral: the printable A4 sheet, the e-mail form, the "book now" links."""
    private_page()
    referral = services.get_referral(code)
    if referral is None:
        abort(404)
    form = SendLinkForm(language=current_language())
    return render_template("orientation/sheet.html", **_sheet_context(referral, form))


@bp.post("/pro/orientation/<code>/envoyer")
@limiter.limit(SEND_LINK_LIMIT)
def send_link(code: str):
    """Send the booking link to the patient by e-mail, only with their agreement."""
    private_page()
    referral = services.get_referral(code)
    if referral is None:
        abort(404)
    form = SendLinkForm()
    if not form.validate_on_submit():
        return render_template("orientation/sheet.html", **_sheet_context(referral, form)), 400
    name = None
    if current_user.is_authenticated:
        name = current_user.full_name
    services.send_referral_link(
        referral, to=form.email.data, language=form.language.data, referrer_name=name
    )
    db.session.commit()
    flash(_("Le lien a été envoyé au patient."), "ok")
    return redirect(url_for("orientation.sheet", code=referral.code))


@bp.get("/pro/mes-orientations")
@login_required
def my_referrals():
    """A logged-in referrer's referrals: used or not, started only with the patient's consent."""
    return render_template(
        "orientation/my_referrals.html", rows=services.referrals_of(current_user)
    )


def init_app(app) -> None:
    from . import views_directory

    app.register_blueprint(bp)
    views_directory.init_app(app)
    app.add_template_filter(day_filter, "orient_day")
    app.add_template_filter(slot_filter, "orient_slot")
