"""Forms of the orientation pages. The search forms are GET forms (no CSRF: they
change nothing); the referral forms are POST forms with CSRF."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..core.forms import BaseForm
from .matching import MAX_RADIUS_KM

YES = {"oui", "true", "1", "yes"}
NO = {"non", "false", "0", "no"}

RADIUS_CHOICES = [
    C("", _l("La distance conseillée par le programme")),
    C("10", _l("10 km")),
    C("30", _l("30 km")),
    C("50", _l("50 km")),
    C("100", _l("100 km")),
]


class WhereForm(Form):
    """Where the person lives and a little about them (step 2 and the professional screen)."""

    commune = StringField(
        _l("Votre commune ou votre code postal"),
        validators=[InputRequired(_l("Écrivez le nom de votre commune ou votre code postal.")),
                    Length(max=120, message=_l("Ce nom est trop long."))],
    )  # fmt: skip
    age = StringField(_l("Âge (facultatif)"), validators=[Optional(), Length(max=3)])
    pregnant = RadioField(
        _l("Êtes-vous enceinte ?"),
        choices=[C("", _l("Je ne veux pas répondre")), C("oui", _l("Oui")), C("non", _l("Non"))],
        default="",
        validate_choice=False,
    )
    format = RadioField(
        _l("Comment voulez-vous suivre le programme ?"),
        choices=[
            C("", _l("Peu importe")),
            C("presentiel", _l("Sur place, près de chez moi")),
            C("distanciel", _l("À distance, de chez moi")),
        ],
        default="",
        validate_choice=False,
    )
    radius_km = SelectField(
        _l("Jusqu'à quelle distance ?"), choices=RADIUS_CHOICES, default="", validate_choice=False
    )

    def validate_age(self, field):
        raw = (field.data or "").strip()
        if raw and (not raw.isdecimal() or int(raw) > 120):
            raise ValidationError(
                _l("Écrivez l'âge en années, avec des chiffres (par exemple 45).")
            )

    def validate_pregnant(self, field):
        if (field.data or "").lower() not in YES | NO | {""}:
            raise ValidationError(_l("Choisissez une réponse."))

    def validate_format(self, field):
        if field.data not in ("", "presentiel", "distanciel", "mixte", None):
            raise ValidationError(_l("Choisissez une réponse."))

    def validate_radius_km(self, field):
        raw = field.data or ""
        if raw:
            try:
                value = float(raw)
            except ValueError:
                raise ValidationError(_l("Choisissez une distance.")) from None
            if not 0 < value <= MAX_RADIUS_KM:
                raise ValidationError(_l("Choisissez une distance."))


class ProOrientForm(WhereForm):
    """The professional's one screen: condition (list or words) + commune + age + pregnancy."""

    condition = SelectField(_l("Pathologie"), choices=[], default="", validate_choice=False)
    q = StringField(_l("Ou en quelques mots"), validators=[Optional(), Length(max=300)], default="")
    pregnant = RadioField(
        _l("Patiente enceinte ?"),
        choices=[C("", _l("Non précisé")), C("oui", _l("Oui")), C("non", _l("Non"))],
        default="",
        validate_choice=False,
    )
    commune = StringField(
        _l("Commune du patient ou code postal"),
        validators=[InputRequired(_l("Écrivez la commune du patient ou son code postal.")),
                    Length(max=120, message=_l("Ce nom est trop long."))],
    )  # fmt: skip
    age = StringField(_l("Âge du patient"), validators=[Optional(), Length(max=3)])


class ReferralForm(BaseForm):
    """Choosing a programme for the patient (creates a referral)."""


class SendLinkForm(BaseForm):
    """Sending the booking link to the patient, with the patient's agreement."""

    email = StringField(
        _l("Adresse e-mail du patient"),
        validators=[
            DataRequired(_l("Écrivez l'adresse e-mail du patient.")),
            Email(_l("Cette adresse e-mail n'est pas valide."), check_deliverability=False),
            Length(max=254),
        ],
    )
    language = SelectField(
        _l("Langue du message"),
        choices=[C("fr", "Français"), C("en", "English"), C("ar", "العربية")],
        default="fr",
    )
    consent = BooleanField(
        _l("Le patient est d'accord pour recevoir ce message"),
        validators=[DataRequired(_l("Cochez cette case seulement si le patient est d'accord."))],
    )


def query_values(form: WhereForm) -> dict:
    """The validated form as keyword arguments of OrientationQuery (minus text/conditions)."""
    age = (form.age.data or "").strip()
    answer = (form.pregnant.data or "").lower()
    pregnant = True if answer in YES else False if answer in NO else None
    radius = form.radius_km.data or ""
    return {
        "commune": (form.commune.data or "").strip(),
        "age": int(age) if age else None,
        "pregnant": pregnant,
        "format": form.format.data or None,
        "radius_km": float(radius) if radius else None,
    }
