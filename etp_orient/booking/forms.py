"""The patient forms: booking a slot and joining a group (DESIGN §4 field names).

Messages say what to do, next to the field (GOV.UK pattern). Phone numbers are
checked and written in E.164 (France by default), e-mail addresses checked
without a network look-up.
"""

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..core.clock import now
from ..core.forms import BaseForm
from .participants import ParticipantData

LANGUAGE_CHOICES = [
    SelectChoice("fr", "Français", render_kw={"lang": "fr"}),
    SelectChoice("en", "English", render_kw={"lang": "en"}),
    SelectChoice("ar", "العربية", render_kw={"lang": "ar"}),
]
OLDEST = 110


def normalise_phone(raw: str) -> str | None:
    """E.164 form of a phone number typed in any usual way, or None if it is not one."""
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def checked_email(raw: str) -> str:
    """The normalised form of an e-mail address, or the field's ValidationError."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationError(
            _l("Écrivez une adresse e-mail complète, par exemple nom@exemple.fr.")
        ) from error


class ParticipantForm(BaseForm):
    """Who is coming, and how to reach them."""

    first_name = StringField(
        _l("Prénom"),
        validators=[
            InputRequired(_l("Écrivez votre prénom.")),
            Length(max=100, message=_l("Le prénom est trop long (100 lettres au plus).")),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    last_name = StringField(
        _l("Nom"),
        validators=[
            InputRequired(_l("Écrivez votre nom.")),
            Length(max=100, message=_l("Le nom est trop long (100 lettres au plus).")),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    birth_year = StringField(
        _l("Année de naissance"),
        validators=[InputRequired(_l("Écrivez votre année de naissance, par exemple 1965."))],
    )
    email = EmailField(_l("Adresse e-mail"), validators=[Optional(), Length(max=254)])
    phone = TelField(_l("Numéro de téléphone"), validators=[Optional(), Length(max=30)])
    language = SelectField(
        _l("Langue pour vous écrire"), choices=LANGUAGE_CHOICES, default="fr", validate_choice=True
    )
    needs = TextAreaField(
        _l("Besoins particuliers (facultatif)"),
        validators=[
            Optional(),
            Length(max=500, message=_l("Écrivez 500 signes au plus.")),
        ],
    )
    consent_contact = BooleanField(_l("J'accepte que l'équipe du programme me contacte."))
    consent_share_gp = BooleanField(
        _l("J'accepte que l'équipe informe mon médecin traitant de mon parcours.")
    )
    gp_email = EmailField(
        _l("Adresse e-mail de votre médecin traitant (facultatif)"),
        validators=[Optional(), Length(max=254)],
    )
    referral_code = StringField(
        _l("Code d'orientation (facultatif)"),
        validators=[Optional(), Length(max=16, message=_l("Ce code est trop long."))],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )

    # filled in by validate()
    year: int | None = None
    email_normalised: str | None = None
    gp_email_normalised: str | None = None
    phone_normalised: str | None = None

    def validate_birth_year(self, field):
        raw = (field.data or "").strip()
        this_year = now().year
        if not raw.isdecimal() or len(raw) != 4:
            raise ValidationError(_l("Écrivez l'année avec 4 chiffres, par exemple 1965."))
        year = int(raw)
        if year > this_year or year < this_year - OLDEST:
            raise ValidationError(
                _l(
                    "Écrivez une année entre %(first)s et %(last)s.",
                    first=this_year - OLDEST,
                    last=this_year,
                )
            )
        self.year = year

    def validate_email(self, field):
        if field.data:
            self.email_normalised = checked_email(field.data)

    def validate_gp_email(self, field):
        if field.data:
            self.gp_email_normalised = checked_email(field.data)

    def validate_phone(self, field):
        if not field.data:
            return
        normalised = normalise_phone(field.data)
        if normalised is None:
            raise ValidationError(
                _l("Écrivez un numéro de téléphone complet, par exemple 06 12 34 56 78.")
            )
        self.phone_normalised = normalised

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            message = _l("Donnez une adresse e-mail ou un numéro de téléphone.")
            self.email.errors = [*self.email.errors, message]
            ok = False
        return ok

    def participant_data(self) -> ParticipantData:
        return ParticipantData(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            birth_year=self.year,
            email=self.email_normalised,
            phone=self.phone_normalised,
            language=self.language.data,
            needs=(self.needs.data or "").strip() or None,
            consent_contact=bool(self.consent_contact.data),
            consent_share_gp=bool(self.consent_share_gp.data),
            gp_email=self.gp_email_normalised,
        )


class BookingForm(ParticipantForm):
    """Booking a slot; ``pro`` is set when a professional books for the patient."""

    pro = HiddenField()
    patient_consent = BooleanField(
        _l("Le patient est d'accord pour que je réserve ce rendez-vous à sa place.")
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.pro.data == "1" and not self.patient_consent.data:
            self.patient_consent.errors = [
                *self.patient_consent.errors,
                _l("Cochez cette case pour dire que le patient est d'accord."),
            ]
            ok = False
        return ok


class JoinForm(ParticipantForm):
    """Joining a group."""


class ConfirmForm(BaseForm):
    """An empty form: a POST with its CSRF token (cancel, leave, delete)."""


class MoveForm(BaseForm):
    slot = RadioField(
        _l("Choisissez une nouvelle date"),
        validators=[InputRequired(_l("Choisissez une date."))],
        choices=[],
        validate_choice=False,
    )


class ReissueForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail donnée lors de la réservation"),
        validators=[InputRequired(_l("Écrivez votre adresse e-mail."))],
    )

    def validate_email(self, field):
        checked_email(field.data)


class ChoicesForm(BaseForm):
    """The person's consents and how their calendar names the dates."""

    consent_contact = BooleanField(_l("J'accepte que l'équipe du programme me contacte."))
    consent_share_gp = BooleanField(
        _l("J'accepte que l'équipe informe mon médecin traitant de mon parcours.")
    )
    explicit_titles = BooleanField(
        _l("Écrire le nom du programme dans mon agenda (sinon : « Rendez-vous santé »).")
    )
