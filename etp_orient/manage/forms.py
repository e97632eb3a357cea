"""Back-office forms. Services repeat the rules that matter; forms give the messages."""

from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..accounts.forms import choices
from ..booking.forms import checked_email, normalise_phone
from ..catalogue.localize import TRANSLATED_FIELDS, TRANSLATION_LANGUAGES, clean_translations
from ..catalogue.models import (
    FORMATS,
    GROUP_ACCESS,
    PREGNANCY,
    PROGRAMME_STATUSES,
    RESERVED_PROGRAMME_CODES,
)
from ..core.forms import BaseForm
from ..core.i18n import language_names

# Dates typed in the back office stay within this range: near year 1 or 9999,
# time-zone conversions and "+ n weeks" overflow Python's dates (a 500).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)


def sensible_date(form, field) -> None:
    """A date between FIRST_DATE and LAST_DATE (or none, left to the other validators)."""
    if field.data is not None and not FIRST_DATE <= field.data <= LAST_DATE:
        raise ValidationError(_l("Choisissez une autre date."))


def web_address(form, field) -> None:
    """An ``http(s)://`` address (a video link sent to participants): anything else,
    ``javascript:`` first of all, is refused. Surrounding spaces are dropped."""
    value = (field.data or "").strip()
    field.data = value or None
    if not value:
        return
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[abc": not an address at all
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value)
    ):
        raise ValidationError(_l("Saisissez une adresse web complète, qui commence par https://"))


# Languages a programme's sessions may be held in (ISO 639), most asked for first;
# their names come from Babel in the reader's language. "fsl": French Sign Language.
SESSION_LANGUAGES = ("fr", "en", "ar", "es", "pt", "it", "de", "tr", "ro", "ru", "zh", "fsl")


def language_choices(also=()) -> list[tuple[str, str]]:
    """(code, name) of SESSION_LANGUAGES and of the codes ``also`` (those a programme
    already has, from its offer file), named in the page's language."""
    codes = list(SESSION_LANGUAGES) + [c for c in also if c not in SESSION_LANGUAGES]
    return list(zip(codes, language_names(codes), strict=True))


CODE = Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Minuscules, chiffres et tirets seulement."))
WEEKDAYS = [
    ("0", _l("lundi")),
    ("1", _l("mardi")),
    ("2", _l("mercredi")),
    ("3", _l("jeudi")),
    ("4", _l("vendredi")),
    ("5", _l("samedi")),
    ("6", _l("dimanche")),
]
FORMAT_LABELS = {
    "presentiel": _l("Sur place"),
    "distanciel": _l("À distance"),
    "mixte": _l("Mixte"),
}
PREGNANCY_LABELS = {
    "either": _l("Enceinte ou non"),
    "required": _l("Seulement pendant la grossesse"),
    "excluded": _l("Pas pendant la grossesse"),
}
STATUS_LABELS = {
    "draft": _l("Brouillon"),
    "published": _l("Publié"),
    "suspended": _l("Suspendu"),
}


def not_reserved(form, field) -> None:
    """A programme code that no page of the site already uses."""
    if (field.data or "").strip() in RESERVED_PROGRAMME_CODES:
        raise ValidationError(_l("Ce code est réservé par le site : choisissez-en un autre."))


GROUP_ACCESS_LABELS = {
    "open": _l("Tout le monde, depuis la page du groupe"),
    "after_bep": _l("Seulement après le bilan, depuis le lien personnel de la personne"),
}


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=_l("Trop long : %(max)s caractères au plus."))


class ProgrammeTranslationFields:
    """The English and Arabic versions of a programme's texts (all optional)."""

    title_en = StringField(_l("Titre déclaré, en anglais"), validators=[Optional(), _too_long(200)])
    plain_title_en = StringField(
        _l("Titre en mots simples, en anglais"), validators=[Optional(), _too_long(200)]
    )
    summary_plain_en = TextAreaField(
        _l("Résumé en mots simples, en anglais"), validators=[Optional(), _too_long(2000)]
    )
    title_ar = StringField(_l("Titre déclaré, en arabe"), validators=[Optional(), _too_long(200)])
    plain_title_ar = StringField(
        _l("Titre en mots simples, en arabe"), validators=[Optional(), _too_long(200)]
    )
    summary_plain_ar = TextAreaField(
        _l("Résumé en mots simples, en arabe"), validators=[Optional(), _too_long(2000)]
    )


class WorkshopTranslationFields:
    """The English and Arabic versions of a workshop's title and description."""

    title_en = StringField(
        _l("Titre de l'atelier, en anglais"), validators=[Optional(), _too_long(200)]
    )
    summary_plain_en = TextAreaField(
        _l("Ce qu'on y fait, en anglais"), validators=[Optional(), _too_long(1000)]
    )
    title_ar = StringField(
        _l("Titre de l'atelier, en arabe"), validators=[Optional(), _too_long(200)]
    )
    summary_plain_ar = TextAreaField(
        _l("Ce qu'on y fait, en arabe"), validators=[Optional(), _too_long(1000)]
    )


class SiteTranslationFields:
    """The English and Arabic versions of a site's name and transport note."""

    name_en = StringField(_l("Nom, en anglais"), validators=[Optional(), _too_long(200)])
    transport_en = StringField(
        _l("Transports en commun, en anglais"), validators=[Optional(), _too_long(300)]
    )
    name_ar = StringField(_l("Nom, en arabe"), validators=[Optional(), _too_long(200)])
    transport_ar = StringField(
        _l("Transports en commun, en arabe"), validators=[Optional(), _too_long(300)]
    )


def translation_fields(form, kind: str) -> list[tuple[str, list]]:
    """(language, the form's translation fields in it), for the template."""
    return [
        (lang, [form[f"{name}_{lang}"] for name in TRANSLATED_FIELDS[kind]])
        for lang in TRANSLATION_LANGUAGES
    ]


def translations_from(form, kind: str) -> dict | None:
    """The translations typed in the form, cleaned (None when all are empty)."""
    return clean_translations(
        kind,
        {
            lang: {name: form[f"{name}_{lang}"].data for name in TRANSLATED_FIELDS[kind]}
            for lang in TRANSLATION_LANGUAGES
        },
    )


def fill_translations(form, kind: str, translations: dict | None) -> None:
    """Put a row's stored translations in the form's fields (on a first display)."""
    for lang in TRANSLATION_LANGUAGES:
        given = (translations or {}).get(lang) or {}
        for name in TRANSLATED_FIELDS[kind]:
            form[f"{name}_{lang}"].data = given.get(name) or ""


class ProgrammeNewForm(BaseForm):
    structure = SelectField(_l("Structure"), choices=[], validate_choice=False)
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Saisissez un code.")), Length(max=80), CODE, not_reserved],
    )
    title = StringField(
        _l("Titre déclaré"), validators=[DataRequired(_l("Saisissez un titre.")), Length(max=200)]
    )


class ProgrammeForm(ProgrammeTranslationFields, BaseForm):
    title = StringField(
        _l("Titre déclaré"), validators=[DataRequired(_l("Saisissez un titre.")), Length(max=200)]
    )
    plain_title = StringField(_l("Titre en mots simples"), validators=[Optional(), Length(max=200)])
    summary_plain = TextAreaField(_l("Résumé en mots simples"), validators=[Optional()])
    conditions = SelectMultipleField(_l("Maladies concernées"), choices=[], validate_choice=False)
    age_min = IntegerField(_l("Âge minimum"), validators=[Optional(), NumberRange(0, 120)])
    age_max = IntegerField(_l("Âge maximum"), validators=[Optional(), NumberRange(0, 120)])
    pregnancy = SelectField(
        _l("Grossesse"), choices=choices((p, PREGNANCY_LABELS[p]) for p in PREGNANCY)
    )
    formats = SelectMultipleField(
        _l("Formats"),
        choices=choices((f, FORMAT_LABELS[f]) for f in FORMATS),
        validators=[DataRequired(_l("Choisissez au moins un format."))],
    )
    sites = SelectMultipleField(_l("Lieux"), choices=[], validate_choice=False)
    group_access = SelectField(
        _l("Qui peut s'inscrire dans un groupe"),
        choices=choices((g, GROUP_ACCESS_LABELS[g]) for g in GROUP_ACCESS),
    )
    completion_min_workshops = IntegerField(
        _l("Ateliers à suivre pour terminer le programme"),
        validators=[Optional(), NumberRange(0, 50)],
    )
    languages = SelectMultipleField(
        _l("Langues des séances"), choices=[], description=_l("Aucune cochée : le français.")
    )
    catchment_km = FloatField(
        _l("Distance d'accueil (km)"),
        validators=[Optional(), NumberRange(0, 1000)],
        description=_l("Vide : la distance choisie par la personne, 30 km par défaut."),
    )
    ars_authorisation = StringField(_l("Référence ARS"), validators=[Optional(), Length(max=100)])
    contact_email = StringField(_l("E-mail de contact"), validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Téléphone de contact"), validators=[Optional(), Length(max=30)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices(getattr(kwargs.get("obj"), "languages", ()))
        self._stored_phone = getattr(kwargs.get("obj"), "contact_phone", None)

    def validate_contact_email(self, field):
        if field.data and field.data.strip():
            checked_email(field.data)

    def validate_contact_phone(self, field):
        # a number kept as it was (an offer file may give "3939" or an extension) is
        # not checked again: only a number typed here must be a full one
        typed = (field.data or "").strip()
        if typed and typed != (self._stored_phone or "") and normalise_phone(typed) is None:
            raise ValidationError(
                _l("Écrivez un numéro de téléphone complet, par exemple 05 45 00 00 00.")
            )

    def validate_age_max(self, field):
        if (
            field.data is not None
            and self.age_min.data is not None
            and field.data < self.age_min.data
        ):
            from wtforms.validators import ValidationError

            raise ValidationError(_l("L'âge maximum doit être plus grand que l'âge minimum."))


class StatusForm(BaseForm):
    status = SelectField(
        _l("État"), choices=choices((s, STATUS_LABELS[s]) for s in PROGRAMME_STATUSES)
    )


class WorkshopForm(BaseForm):
    code = StringField(
        _l("Code de l'atelier"),
        validators=[DataRequired(_l("Saisissez un code.")), Length(max=80), CODE],
    )
    title = StringField(
        _l("Titre de l'atelier"),
        validators=[DataRequired(_l("Saisissez un titre.")), Length(max=200)],
    )
    duration_min = IntegerField(_l("Durée (minutes)"), validators=[Optional(), NumberRange(5, 600)])
    transversal = BooleanField(_l("Ouvert aux patients d'autres programmes"))


class WorkshopEditForm(WorkshopTranslationFields, BaseForm):
    title = StringField(
        _l("Titre de l'atelier"),
        validators=[DataRequired(_l("Saisissez un titre.")), Length(max=200)],
    )
    summary_plain = TextAreaField(_l("Ce qu'on y fait, en mots simples"), validators=[Optional()])
    duration_min = IntegerField(_l("Durée (minutes)"), validators=[Optional(), NumberRange(5, 600)])
    transversal = BooleanField(_l("Ouvert aux patients d'autres programmes"))


class TeamMemberForm(BaseForm):
    profession = StringField(
        _l("Profession"), validators=[DataRequired(_l("Saisissez la profession.")), Length(max=100)]
    )
    name = StringField(_l("Nom"), validators=[Optional(), Length(max=200)])
    etp_training_on = DateField(
        _l("Date de la formation ETP de 40 heures"), validators=[Optional()]
    )
    is_coordinator = BooleanField(_l("Coordonne le programme"))
    account_email = StringField(
        _l("Adresse e-mail de son compte (facultatif)"),
        description=_l(
            "Reliez le membre à son compte : il voit alors dans son planning ce qu'il anime."
        ),
        validators=[Optional(), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "off"},
    )

    def validate_account_email(self, field):
        if field.data and field.data.strip():
            checked_email(field.data)


class SiteForm(SiteTranslationFields, BaseForm):
    structure = SelectField(_l("Structure"), choices=[], validate_choice=False)
    code = StringField(
        _l("Code"), validators=[DataRequired(_l("Saisissez un code.")), Length(max=80), CODE]
    )
    name = StringField(
        _l("Nom"), validators=[DataRequired(_l("Saisissez un nom.")), Length(max=200)]
    )
    address = StringField(_l("Adresse"), validators=[Optional(), Length(max=300)])
    postal_code = StringField(
        _l("Code postal"),
        validators=[Optional(), Regexp(r"^\d{5}$", message=_l("Cinq chiffres."))],
    )
    commune_insee = StringField(
        _l("Code INSEE de la commune"),
        validators=[
            DataRequired(_l("Saisissez le code INSEE.")),
            Regexp(r"^[0-9][0-9AB][0-9]{3}$", message=_l("Cinq caractères, par exemple 16015.")),
        ],
    )
    step_free_access = SelectField(
        _l("Accès de plain-pied"),
        choices=choices([("", _l("Je ne sais pas")), ("1", _l("Oui")), ("0", _l("Non"))]),
        validate_choice=False,
    )
    transport = StringField(_l("Transports en commun"), validators=[Optional(), Length(max=300)])
    timezone = SelectField(
        _l("Fuseau horaire"),
        choices=choices(
            (z, z)
            for z in (
                "Europe/Paris",
                "America/Guadeloupe",
                "America/Martinique",
                "America/Cayenne",
                "Indian/Reunion",
                "Indian/Mayotte",
                "Pacific/Noumea",
                "Pacific/Tahiti",
                "America/Miquelon",
            )
        ),
    )


class SlotRuleForm(BaseForm):
    """Availability windows for BEP slots, turned into slots (preview first)."""

    kind = SelectField(
        _l("Type de rendez-vous"),
        choices=choices(
            [
                ("bep", _l("Bilan éducatif partagé")),
                ("final", _l("Bilan de fin de programme")),
                ("followup", _l("Suivi à 6 mois")),
            ]
        ),
        default="bep",
    )
    site = SelectField(_l("Lieu"), choices=[], validate_choice=False)
    remote = SelectField(
        _l("Ou à distance"),
        choices=choices(
            [("", _l("Non, sur place")), ("phone", _l("Par téléphone")), ("video", _l("En vidéo"))]
        ),
        validate_choice=False,
    )
    weekdays = SelectMultipleField(
        _l("Jours"),
        choices=choices(WEEKDAYS),
        validators=[DataRequired(_l("Choisissez au moins un jour."))],
    )
    start_time = TimeField(_l("De"), validators=[DataRequired(_l("Saisissez l'heure de début."))])
    end_time = TimeField(_l("À"), validators=[DataRequired(_l("Saisissez l'heure de fin."))])
    duration = IntegerField(
        _l("Durée d'un créneau (minutes)"),
        validators=[DataRequired(_l("Saisissez une durée.")), NumberRange(10, 240)],
    )
    date_from = DateField(
        _l("Du"), validators=[DataRequired(_l("Saisissez la date de début.")), sensible_date]
    )
    date_to = DateField(
        _l("Au"), validators=[DataRequired(_l("Saisissez la date de fin.")), sensible_date]
    )
    except_dates = TextAreaField(
        _l("Sauf ces dates"),
        validators=[Optional()],
        description=_l("Une date par ligne, par exemple 2026-12-25."),
    )
    facilitators = SelectMultipleField(
        _l("Qui reçoit la personne"), choices=[], validate_choice=False
    )
    professional = StringField(
        _l("Ou un autre nom"),
        validators=[Optional(), Length(max=200)],
        description=_l("Si la personne qui reçoit n'est pas dans l'équipe du programme."),
    )

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("L'heure de fin doit être après l'heure de début."))

    def validate_date_to(self, field):
        from wtforms.validators import ValidationError

        if self.date_from.data and field.data:
            if field.data < self.date_from.data:
                raise ValidationError(_l("La date de fin doit être après la date de début."))
            if (field.data - self.date_from.data).days > 366:
                raise ValidationError(_l("Une année au plus à la fois."))


class CohortForm(BaseForm):
    """A new cohort and its sessions from a weekly or fortnightly rule."""

    site = SelectField(_l("Lieu"), choices=[], validate_choice=False)
    video_url = StringField(
        _l("Lien vidéo (groupe à distance)"),
        validators=[Optional(), Length(max=500), web_address],
    )
    capacity = IntegerField(
        _l("Nombre de places"),
        validators=[DataRequired(_l("Saisissez le nombre de places.")), NumberRange(1, 100)],
    )
    first_day = DateField(
        _l("Date de la première séance"),
        validators=[DataRequired(_l("Saisissez la date de la première séance.")), sensible_date],
    )
    start_time = TimeField(_l("Heure"), validators=[DataRequired(_l("Saisissez l'heure."))])
    every = SelectField(
        _l("Rythme"),
        choices=choices([("1", _l("Chaque semaine")), ("2", _l("Toutes les deux semaines"))]),
    )
    room = StringField(_l("Salle"), validators=[Optional(), Length(max=200)])
    facilitators = SelectMultipleField(_l("Animateurs"), choices=[], validate_choice=False)


class SlotTeamForm(BaseForm):
    """Who receives the person at one appointment."""

    facilitators = SelectMultipleField(
        _l("Qui reçoit la personne"), choices=[], validate_choice=False
    )
    professional = StringField(
        _l("Ou un autre nom"),
        validators=[Optional(), Length(max=200)],
        description=_l("Si la personne qui reçoit n'est pas dans l'équipe du programme."),
    )


class MoveForm(BaseForm):
    day = DateField(
        _l("Nouvelle date"), validators=[DataRequired(_l("Saisissez une date.")), sensible_date]
    )
    start_time = TimeField(
        _l("Nouvelle heure"), validators=[DataRequired(_l("Saisissez une heure."))]
    )
    room = StringField(_l("Salle"), validators=[Optional(), Length(max=200)])


class ShiftForm(BaseForm):
    days = IntegerField(
        _l("Décaler de combien de jours"),
        validators=[DataRequired(_l("Saisissez un nombre de jours.")), NumberRange(-365, 365)],
        description=_l("7 pour une semaine plus tard, -7 pour une semaine plus tôt."),
    )


class CohortSettingsForm(BaseForm):
    capacity = IntegerField(
        _l("Nombre de places"),
        validators=[DataRequired(_l("Saisissez le nombre de places.")), NumberRange(1, 100)],
    )
    waitlist_enabled = BooleanField(_l("Liste d'attente quand le groupe est complet"))
    registration_closes_on = DateField(
        _l("Inscriptions fermées à partir du"),
        validators=[Optional(), sensible_date],
        description=_l("Vide : à la première séance."),
    )
    video_url = StringField(_l("Lien vidéo"), validators=[Optional(), Length(max=500), web_address])
    facilitators = SelectMultipleField(_l("Animateurs"), choices=[], validate_choice=False)
