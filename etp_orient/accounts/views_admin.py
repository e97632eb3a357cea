"""Platform admin pages (``/gestion/admin/…``): structures and staff accounts."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..catalogue.models import Structure
from ..core.models import audit
from ..extensions import db
from . import services
from .forms import ROLE_LABELS, MembershipForm, RppsForm, StructureForm, UserForm, choices
from .models import Membership, OidcIdentity, User
from .permissions import staff_required

bp = Blueprint("accounts_admin", __name__, url_prefix="/gestion/admin")


def _structure_choices():
    rows = db.session.scalars(select(Structure).order_by(Structure.name)).all()
    return choices([("", _("Aucune"))] + [(s.code, s.name) for s in rows])


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/")
@staff_required(platform_admin=True)
def index():
    structures = db.session.scalars(select(Structure).order_by(Structure.name)).all()
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template(
        "accounts/admin_index.html", structures=structures, users=users, role_labels=ROLE_LABELS
    )


@bp.route("/structures/nouvelle", methods=["GET", "POST"])
@staff_required(platform_admin=True)
def structure_new():
    form = StructureForm()
    if form.validate_on_submit():
        code = form.code.data.strip().lower()
        if db.session.scalar(select(Structure).where(Structure.code == code)) is not None:
            form.code.errors.append(_("Ce code existe déjà."))
        else:
            structure = Structure(
                code=code,
                name=form.name.data.strip(),
                kind=form.kind.data,
                email=form.email.data or None,
                phone=form.phone.data or None,
            )
            db.session.add(structure)
            db.session.flush()
            audit(
                "structure.create",
                actor_id=current_user.id,
                obj_type="structure",
                obj_id=structure.code,
            )
            db.session.commit()
            flash(_("Structure créée."), "info")
            return redirect(url_for(".index"))
    return render_template("accounts/admin_structure.html", form=form)


@bp.route("/comptes/nouveau", methods=["GET", "POST"])
@staff_required(platform_admin=True)
def user_new():
    form = UserForm()
    form.structure.choices = _structure_choices()
    if form.validate_on_submit():
        code = form.structure.data or None
        try:
            user = services.create_user(
                form.email.data,
                form.password.data,
                roles=[(form.role.data, code)],
                full_name=form.full_name.data or None,
                profession=form.profession.data or None,
                actor=current_user,
            )
        except services.AccountError as error:
            db.session.rollback()
            field = getattr(form, error.field or "email", form.email)
            field.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Compte créé."), "info")
            return redirect(url_for(".user_detail", user_id=user.id))
    return render_template("accounts/admin_user_new.html", form=form)


def _user_page(user: User, rpps_form: RppsForm | None = None):
    form = MembershipForm(formdata=None)
    form.structure.choices = _structure_choices()[1:]
    identities = db.session.scalars(
        select(OidcIdentity).where(OidcIdentity.user_id == user.id).order_by(OidcIdentity.id)
    ).all()
    return render_template(
        "accounts/admin_user.html",
        user=user,
        form=form,
        rpps_form=rpps_form or RppsForm(formdata=None, rpps=user.rpps),
        identities=identities,
        role_labels=ROLE_LABELS,
    )


@bp.get("/comptes/<int:user_id>")
@staff_required(platform_admin=True)
def user_detail(user_id: int):
    return _user_page(_load_user(user_id))


@bp.post("/comptes/<int:user_id>/rpps")
@staff_required(platform_admin=True)
def user_rpps(user_id: int):
    user = _load_user(user_id)
    form = RppsForm()
    if form.validate_on_submit():
        try:
            services.set_rpps(user, form.rpps.data, actor=current_user)
        except services.AccountError as error:
            db.session.rollback()
            form.rpps.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Numéro RPPS enregistré."), "info")
            return redirect(url_for(".user_detail", user_id=user.id))
    return _user_page(user, form)


@bp.post("/comptes/<int:user_id>/roles")
@staff_required(platform_admin=True)
def membership_add(user_id: int):
    user = _load_user(user_id)
    form = MembershipForm()
    form.structure.choices = _structure_choices()[1:]
    if form.validate_on_submit():
        structure = db.session.scalar(
            select(Structure).where(Structure.code == form.structure.data)
        )
        if structure is None:
            flash(_("Choisissez une structure."), "error")
        else:
            services.add_membership(user, structure, form.role.data, actor=current_user)
            db.session.commit()
            flash(_("Rôle ajouté."), "info")
    return redirect(url_for(".user_detail", user_id=user.id))


@bp.post("/comptes/<int:user_id>/roles/<int:membership_id>/retirer")
@staff_required(platform_admin=True)
def membership_remove(user_id: int, membership_id: int):
    user = _load_user(user_id)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != user.id:
        abort(404)
    services.remove_membership(membership, actor=current_user)
    db.session.commit()
    flash(_("Rôle retiré."), "info")
    return redirect(url_for(".user_detail", user_id=user.id))


@bp.post("/comptes/<int:user_id>/actif")
@staff_required(platform_admin=True)
def user_toggle(user_id: int):
    user = _load_user(user_id)
    if user.id == current_user.id:
        abort(400)
    services.set_active(user, not user.active, actor=current_user)
    db.session.commit()
    flash(_("Compte réactivé.") if user.active else _("Compte suspendu."), "info")
    return redirect(url_for(".user_detail", user_id=user.id))
