"""Programmes (description, audience, workshops, team, publication) and sites."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.forms import choices
from ..accounts.models import User
from ..accounts.permissions import can, check_structures, staff_required
from ..catalogue.models import Condition, Programme, Site, Structure, TeamMember, Workshop
from ..extensions import db
from . import offer
from . import team as team_service
from .blueprint import bp
from .forms import (
    STATUS_LABELS,
    ProgrammeForm,
    ProgrammeNewForm,
    SiteForm,
    StatusForm,
    TeamMemberForm,
    WorkshopEditForm,
    WorkshopForm,
    fill_translations,
    translation_fields,
    translations_from,
)
from .loaders import load_programme, load_site, programme_structures
from .scope import programme_ids_query, sites_query, structures_query

MESSAGES = {
    "code": lambda: _("Ce code existe déjà."),
    "team": lambda: _(
        "Il faut au moins deux membres nommés de professions différentes dans l'équipe "
        "pour publier."
    ),
    "account": lambda: _(
        "Aucun compte actif de l'équipe n'a cette adresse. Créez d'abord le compte, "
        "ou laissez ce champ vide."
    ),
    "account_needs_name": lambda: _("Donnez le nom du membre pour le relier à un compte."),
    "workshops": lambda: _("Ajoutez au moins un atelier avant de publier."),
    "commune": lambda: _("Ce code INSEE ne correspond à aucune commune."),
    "workshop_used": lambda: _("Des séances utilisent cet atelier : il reste."),
}


def _structure_choices(level="manage"):
    rows = db.session.scalars(structures_query(current_user, level)).all()
    return choices((s.code, s.name) for s in rows)


def _programme_sites_choices(programme: Programme):
    owners = programme_structures(programme)
    rows = db.session.scalars(
        select(Site).where(Site.structure_id.in_(owners)).order_by(Site.name)
    ).all()
    return choices((s.code, s.name) for s in rows)


@bp.get("/programmes")
@staff_required()
def programmes():
    rows = db.session.scalars(
        select(Programme)
        .where(Programme.id.in_(programme_ids_query(current_user)))
        .order_by(Programme.title)
    ).all()
    return render_template("manage/programmes.html", programmes=rows, status_labels=STATUS_LABELS)


@bp.route("/programmes/nouveau", methods=["GET", "POST"])
@staff_required("manage")
def programme_new():
    form = ProgrammeNewForm()
    form.structure.choices = _structure_choices()
    if form.validate_on_submit():
        structure = db.session.scalar(
            select(Structure).where(Structure.code == form.structure.data)
        )
        if structure is None:
            abort(404)
        check_structures({structure.id}, "manage")
        try:
            programme = offer.create_programme(
                structure, form.code.data, form.title.data.strip(), actor=current_user
            )
        except offer.OfferError as error:
            db.session.rollback()
            form.code.errors.append(MESSAGES[error.message]())
        else:
            db.session.commit()
            return redirect(url_for(".programme", programme_code=programme.code))
    return render_template("manage/programme_new.html", form=form)


@bp.route("/programmes/<programme_code>", methods=["GET", "POST"])
@staff_required()
def programme(programme_code: str):
    programme = load_programme(programme_code)
    editable = can(programme_structures(programme), "manage")
    form = ProgrammeForm(obj=programme)
    conditions = db.session.scalars(
        select(Condition).where(Condition.is_group.is_(False)).order_by(Condition.position)
    ).all()
    form.conditions.choices = choices((c.code, c.plain_label) for c in conditions)
    form.sites.choices = _programme_sites_choices(programme)
    if form.is_submitted():
        if not editable:
            abort(403)
        if form.validate():
            sites = db.session.scalars(
                select(Site).where(
                    Site.code.in_(form.sites.data or []),
                    Site.structure_id.in_(programme_structures(programme)),
                )
            ).all()
            offer.update_programme(
                programme,
                {
                    "title": form.title.data.strip(),
                    "plain_title": (form.plain_title.data or "").strip(),
                    "summary_plain": (form.summary_plain.data or "").strip(),
                    "age_min": form.age_min.data,
                    "age_max": form.age_max.data,
                    "pregnancy": form.pregnancy.data,
                    "formats": form.formats.data,
                    "conditions": form.conditions.data or [],
                    "completion_min_workshops": form.completion_min_workshops.data,
                    "ars_authorisation": form.ars_authorisation.data,
                    "contact_email": (form.contact_email.data or "").strip(),
                    "contact_phone": (form.contact_phone.data or "").strip(),
                    "languages": form.languages.data or ["fr"],
                    "catchment_km": form.catchment_km.data,
                    "group_access": form.group_access.data,
                    "translations": translations_from(form, "programme"),
                },
                sites=list(sites),
                actor=current_user,
            )
            db.session.commit()
            flash(_("Programme enregistré."), "info")
            return redirect(url_for(".programme", programme_code=programme.code))
    else:
        form.conditions.data = [c.code for c in programme.conditions]
        form.sites.data = [s.code for s in programme.sites]
        fill_translations(form, "programme", programme.translations)
    return render_template(
        "manage/programme.html",
        programme=programme,
        form=form,
        translation_groups=translation_fields(form, "programme"),
        editable=editable,
        status_form=StatusForm(status=programme.status),
        workshop_form=WorkshopForm(formdata=None),
        team_form=TeamMemberForm(formdata=None),
        status_labels=STATUS_LABELS,
    )


@bp.post("/programmes/<programme_code>/statut")
@staff_required("manage")
def programme_status(programme_code: str):
    programme = load_programme(programme_code, "manage")
    form = StatusForm()
    if form.validate_on_submit():
        try:
            offer.set_status(programme, form.status.data, actor=current_user)
        except offer.OfferError as error:
            db.session.rollback()
            flash(MESSAGES[error.message](), "error")
            return redirect(url_for(".programme", programme_code=programme.code)), 303
        db.session.commit()
        flash(_("État du programme : %(s)s.", s=STATUS_LABELS[programme.status]), "info")
    return redirect(url_for(".programme", programme_code=programme.code))


@bp.post("/programmes/<programme_code>/ateliers")
@staff_required("manage")
def workshop_add(programme_code: str):
    programme = load_programme(programme_code, "manage")
    form = WorkshopForm()
    if form.validate_on_submit():
        try:
            offer.add_workshop(programme, form.data, actor=current_user)
        except offer.OfferError as error:
            db.session.rollback()
            form.code.errors.append(MESSAGES[error.message]())
        else:
            db.session.commit()
            flash(_("Atelier ajouté."), "info")
            return redirect(url_for(".programme", programme_code=programme.code))
    return render_template("manage/workshop_form.html", programme=programme, form=form), 400


@bp.post("/programmes/<programme_code>/equipe")
@staff_required("manage")
def team_add(programme_code: str):
    programme = load_programme(programme_code, "manage")
    form = TeamMemberForm()
    if form.validate_on_submit():
        try:
            team_service.add_member(programme, form.data, actor=current_user)
        except team_service.TeamError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(MESSAGES[error.code]())
        else:
            db.session.commit()
            flash(_("Membre ajouté à l'équipe."), "info")
            return redirect(url_for(".programme", programme_code=programme.code))
    return render_template("manage/team_form.html", programme=programme, form=form), 400


def _load_member(programme: Programme, member_id: int) -> TeamMember:
    member = db.session.get(TeamMember, member_id)
    if member is None or member.programme_id != programme.id:
        abort(404)
    return member


@bp.route("/programmes/<programme_code>/equipe/<int:member_id>", methods=["GET", "POST"])
@staff_required("manage")
def team_edit(programme_code: str, member_id: int):
    """Change a member: what they run follows (name, profession, account)."""
    programme = load_programme(programme_code, "manage")
    member = _load_member(programme, member_id)
    form = TeamMemberForm(obj=member)
    if not form.is_submitted() and member.user_id:
        account = db.session.get(User, member.user_id)
        form.account_email.data = account.email if account else ""
    if form.validate_on_submit():
        try:
            team_service.update_member(member, form.data, actor=current_user)
        except team_service.TeamError as error:
            db.session.rollback()
            field = "profession" if error.field == "team" else error.field
            getattr(form, field).errors.append(MESSAGES[error.code]())
        else:
            db.session.commit()
            flash(_("Membre de l'équipe enregistré."), "info")
            return redirect(url_for(".programme", programme_code=programme.code))
    status = 400 if form.errors else 200
    return (
        render_template("manage/team_form.html", programme=programme, form=form, member=member),
        status,
    )


@bp.post("/programmes/<programme_code>/equipe/<int:member_id>/retirer")
@staff_required("manage")
def team_remove(programme_code: str, member_id: int):
    programme = load_programme(programme_code, "manage")
    member = _load_member(programme, member_id)
    try:
        team_service.remove_member(member, actor=current_user)
    except team_service.TeamError:
        db.session.rollback()
        flash(MESSAGES["team"](), "error")
    else:
        db.session.commit()
        flash(_("Membre retiré de l'équipe."), "info")
    return redirect(url_for(".programme", programme_code=programme.code))


@bp.get("/sites")
@staff_required()
def sites():
    rows = db.session.scalars(sites_query(current_user)).all()
    return render_template("manage/sites.html", sites=rows)


def _site_form(site: Site | None) -> SiteForm:
    form = SiteForm(obj=site)
    form.structure.choices = _structure_choices()
    if site is not None and not form.is_submitted():
        form.step_free_access.data = {True: "1", False: "0"}.get(site.step_free_access, "")
        form.structure.data = site.structure.code
        fill_translations(form, "site", site.translations)
    return form


def _save_site_from(form: SiteForm, site: Site | None):
    structure = site.structure if site is not None else None
    if structure is None:
        structure = db.session.scalar(
            select(Structure).where(Structure.code == form.structure.data)
        )
        if structure is None:
            abort(404)
        check_structures({structure.id}, "manage")
    try:
        saved = offer.save_site(
            site,
            structure,
            {**form.data, "translations": translations_from(form, "site")},
            actor=current_user,
        )
    except offer.OfferError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(MESSAGES[error.message]())
        return None
    db.session.commit()
    flash(_("Lieu enregistré."), "info")
    return redirect(url_for(".site", site_code=saved.code))


@bp.route("/sites/nouveau", methods=["GET", "POST"])
@staff_required("manage")
def site_new():
    form = _site_form(None)
    if form.validate_on_submit():
        answer = _save_site_from(form, None)
        if answer is not None:
            return answer
    return render_template(
        "manage/site.html",
        form=form,
        site=None,
        editable=True,
        translation_groups=translation_fields(form, "site"),
    )


@bp.route("/sites/<site_code>", methods=["GET", "POST"])
@staff_required()
def site(site_code: str):
    site = load_site(site_code)
    editable = can({site.structure_id}, "manage")
    form = _site_form(site)
    if form.is_submitted():
        if not editable:
            abort(403)
        form.code.data = site.code
        if form.validate():
            answer = _save_site_from(form, site)
            if answer is not None:
                return answer
    return render_template(
        "manage/site.html",
        form=form,
        site=site,
        editable=editable,
        translation_groups=translation_fields(form, "site"),
    )


def _workshop(programme, workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.programme_id != programme.id:
        abort(404)
    return workshop


@bp.post("/programmes/<programme_code>/ateliers/<int:workshop_id>/ordre")
@staff_required("manage")
def workshop_move(programme_code: str, workshop_id: int):
    programme = load_programme(programme_code, "manage")
    workshop = _workshop(programme, workshop_id)
    offer.move_workshop(
        workshop, -1 if request.form.get("direction") == "up" else 1, actor=current_user
    )
    db.session.commit()
    return redirect(url_for(".programme", programme_code=programme.code) + "#ateliers")


@bp.post("/programmes/<programme_code>/ateliers/<int:workshop_id>/retirer")
@staff_required("manage")
def workshop_remove(programme_code: str, workshop_id: int):
    programme = load_programme(programme_code, "manage")
    workshop = _workshop(programme, workshop_id)
    try:
        offer.remove_workshop(workshop, actor=current_user)
    except offer.OfferError as error:
        db.session.rollback()
        flash(MESSAGES[error.message](), "error")
    else:
        db.session.commit()
        flash(_("Atelier retiré."), "info")
    return redirect(url_for(".programme", programme_code=programme.code) + "#ateliers")


@bp.route("/programmes/<programme_code>/ateliers/<int:workshop_id>", methods=["GET", "POST"])
@staff_required("manage")
def workshop_edit(programme_code: str, workshop_id: int):
    programme = load_programme(programme_code, "manage")
    workshop = _workshop(programme, workshop_id)
    form = WorkshopEditForm(obj=workshop)
    if not form.is_submitted():
        fill_translations(form, "workshop", workshop.translations)
    if form.validate_on_submit():
        offer.update_workshop(
            workshop,
            {**form.data, "translations": translations_from(form, "workshop")},
            actor=current_user,
        )
        db.session.commit()
        flash(_("Atelier enregistré."), "info")
        return redirect(url_for(".programme", programme_code=programme.code) + "#ateliers")
    return render_template(
        "manage/workshop_edit.html",
        programme=programme,
        workshop=workshop,
        form=form,
        translation_groups=translation_fields(form, "workshop"),
    )
