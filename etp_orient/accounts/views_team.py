"""A structure's own team (``/gestion/structures/<code>/membres``), for its admins.

A structure admin sees its members and gives or takes roles in *that*
structure; a new account gets a temporary password they change with the
"forgotten password" link. Platform-wide accounts stay with the platform admin.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.validators import Optional

from ..catalogue.models import Structure
from ..extensions import db
from . import services
from .forms import ROLE_LABELS, UserForm, choices
from .models import ROLES, Membership, User
from .permissions import can, check_structures, staff_required

bp = Blueprint("accounts_team", __name__, url_prefix="/gestion/structures")


def _load(code: str, level: str = "read") -> Structure:
    structure = db.session.scalar(select(Structure).where(Structure.code == code))
    if structure is None:
        abort(404)
    check_structures({structure.id}, level)
    return structure


def _members(structure: Structure) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(Membership.structure_id == structure.id)
            .order_by(User.email, Membership.role)
        )
    )


def _forms() -> UserForm:
    form = UserForm()
    form.structure.choices = choices([])
    return form


@bp.get("/<structure_code>/membres")
@staff_required()
def members(structure_code: str):
    structure = _load(structure_code)
    new = _forms()
    return render_template(
        "accounts/team.html",
        structure=structure,
        members=_members(structure),
        form=new,
        role_labels=ROLE_LABELS,
        editable=can({structure.id}, "admin"),
    )


@bp.post("/<structure_code>/membres")
@staff_required()
def member_add(structure_code: str):
    structure = _load(structure_code, "admin")
    form = _forms()
    existing = services.find_user(request.form.get("email", ""))
    if existing is not None:
        form.password.validators = [Optional()]  # an existing account keeps its password
    if form.validate_on_submit() and form.role.data in ROLES:
        if existing is not None:
            services.add_membership(existing, structure, form.role.data, actor=current_user)
            db.session.commit()
            flash(_("Rôle ajouté à un compte existant."), "info")
            return redirect(url_for(".members", structure_code=structure.code))
        try:
            services.create_user(
                form.email.data,
                form.password.data,
                roles=[(form.role.data, structure.code)],
                full_name=form.full_name.data or None,
                profession=form.profession.data or None,
                actor=current_user,
            )
        except services.AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "email", form.email).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Compte créé."), "info")
            return redirect(url_for(".members", structure_code=structure.code))
    return render_template(
        "accounts/team.html",
        structure=structure,
        members=_members(structure),
        form=form,
        role_labels=ROLE_LABELS,
        editable=True,
    ), 400


@bp.post("/<structure_code>/membres/<int:membership_id>/retirer")
@staff_required()
def member_remove(structure_code: str, membership_id: int):
    structure = _load(structure_code, "admin")
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.structure_id != structure.id:
        abort(404)
    if membership.user_id == current_user.id and membership.role == "admin":
        abort(400)  # one does not lock oneself out
    services.remove_membership(membership, actor=current_user)
    db.session.commit()
    flash(_("Rôle retiré."), "info")
    return redirect(url_for(".members", structure_code=structure.code))
