"""Forms of the staff accounts: login, password reset, admin pages."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from ..catalogue.models import STRUCTURE_KINDS
from ..catalogue.offer.schema import item_field_errors
from ..core.forms import BaseForm
from .models import ROLES


def choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (tuples are deprecated in WTForms)."""
    return [SelectChoice(value, label) for value, label in pairs]


ROLE_LABELS = {
    "admin": _l("Administrateur de la structure"),
    "coordinator": _l("Coordinateur"),
    "educator": _l("Éducateur, animateur"),
    "referrer": _l("Professionnel qui oriente"),
}


class LoginForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"), validators=[DataRequired(_l("Saisissez votre adresse e-mail."))]
    )
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe."))]
    )


class ResetRequestForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            DataRequired(_l("Saisissez votre adresse e-mail.")),
            Email(_l("Saisissez une adresse e-mail valide."), check_deliverability=False),
        ],
    )


class NewPasswordForm(BaseForm):
    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(_l("Saisissez un mot de passe."))],
    )
    confirm = PasswordField(
        _l("Le même mot de passe, encore une fois"),
        validators=[DataRequired(_l("Saisissez le mot de passe une deuxième fois."))],
    )

    def validate_confirm(self, field):
        if field.data != self.password.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Les deux mots de passe ne sont pas les mêmes."))


class StructureForm(BaseForm):
    """A new structure; besides the messages below, the offer schema's rules apply, so
    that ``export-offer`` writes a file that imports back."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Saisissez un code.")), Length(max=80)],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        description=_l("En minuscules, sans espace, par exemple cpts-ouest."),
    )
    name = StringField(
        _l("Nom"), validators=[DataRequired(_l("Saisissez un nom.")), Length(max=200)]
    )
    kind = SelectField(_l("Type"), choices=choices((k, k.upper()) for k in STRUCTURE_KINDS))
    email = EmailField(_l("E-mail de contact"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Téléphone"), validators=[Optional(), Length(max=30)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        item = {"code": self.code.data or "", "name": (self.name.data or "").strip()}
        item["kind"] = self.kind.data
        for name in ("email", "phone"):
            if self[name].data:
                item[name] = self[name].data.strip()
        for name, message in item_field_errors("structures", item).items():
            if name in self._fields and not self[name].errors:
                self[name].errors.append(message)
                valid = False
        return valid


class UserForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            DataRequired(_l("Saisissez une adresse e-mail.")),
            Email(_l("Saisissez une adresse e-mail valide."), check_deliverability=False),
        ],
    )
    full_name = StringField(_l("Nom complet"), validators=[Optional(), Length(max=200)])
    profession = StringField(_l("Profession"), validators=[Optional(), Length(max=100)])
    password = PasswordField(
        _l("Mot de passe provisoire"),
        validators=[DataRequired(_l("Saisissez un mot de passe."))],
        description=_l("Au moins 12 caractères. La personne pourra le changer."),
    )
    role = SelectField(_l("Rôle"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES))
    structure = SelectField(_l("Structure"), choices=[], validate_choice=False)


class MembershipForm(BaseForm):
    role = SelectField(_l("Rôle"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES))
    structure = SelectField(_l("Structure"), choices=[], validate_choice=False)


RPPS_DIGITS = 11


class RppsForm(BaseForm):
    """A staff account's RPPS number (optional; empty removes it)."""

    rpps = StringField(
        _l("Numéro RPPS"),
        validators=[Optional(), Length(max=30)],
        # spaces between digit groups dropped; a line break is refused (BaseForm)
        filters=[lambda v: v.replace(" ", "").replace("\u00a0", "") if isinstance(v, str) else v],
        description=_l(
            "11 chiffres. Il relie la connexion avec Pro Santé Connect à ce compte. "
            "Laissez vide si la personne n'en a pas."
        ),
    )

    def validate_rpps(self, field):
        if field.data and (len(field.data) != RPPS_DIGITS or not field.data.isdigit()):
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Le numéro RPPS a 11 chiffres, sans lettre."))
