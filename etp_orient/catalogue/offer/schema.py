"""The offer file's JSON Schema, its format checks and plain French messages for its errors."""

import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from .errors import OfferError, json_path
from .errors import tr as _
from .fastcheck import compile_schema

SCHEMA_FILE = Path(__file__).parent.parent / "data" / "offer.schema.json"

# RFC 3339 date-time: seconds required, offset required ("Z" or ±hh:mm).
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")

_format_checker = FormatChecker(formats=())

# how often a large file reports progress (items)
PROGRESS_EVERY = 5000


@_format_checker.checks("date-time")
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return parse_date_time(value) is not None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@_format_checker.checks("date")
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@_format_checker.checks("email")
def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@_format_checker.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not parts.scheme or not _SCHEME.match(parts.scheme):
        return False
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.netloc)
    return True


def parse_date_time(value: str) -> datetime | None:
    """An aware datetime from an RFC 3339 string, or None when it is not one."""
    if not _DATE_TIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@cache
def load_schema() -> dict:
    """The offer schema shipped with the package (a copy of ``shared/offer.schema.json``)."""
    with SCHEMA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _validators() -> tuple[Draft202012Validator, dict[str, Draft202012Validator]]:
    """One validator for the file's top level and one per kind of item.

    Items are validated one by one so that a large file can report progress.
    """
    return _top_validator(), _item_validators()


@cache
def fast_checks() -> dict:
    """Per kind of item, a quick yes/no check (see fastcheck.py); jsonschema names the errors."""
    schema = load_schema()
    formats = {"date-time": _is_date_time, "date": _is_date, "email": _is_email, "uri": _is_uri}
    return {
        name: compile_schema(prop["items"], schema, formats)
        for name, prop in schema["properties"].items()
        if "items" in prop
    }


@cache
def _top_validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    top = dict(schema)
    top["properties"] = {
        name: {k: v for k, v in prop.items() if k != "items"}
        for name, prop in schema["properties"].items()
    }
    return Draft202012Validator(top, format_checker=_format_checker)


@cache
def _item_validators() -> dict[str, Draft202012Validator]:
    schema = load_schema()
    defs = schema.get("$defs", {})
    return {
        name: Draft202012Validator({**prop["items"], "$defs": defs}, format_checker=_format_checker)
        for name, prop in schema["properties"].items()
        if "items" in prop
    }


def item_field_errors(kind: str, item: dict) -> dict[str, str]:
    """The schema's verdict on one item of ``kind`` ("structures", "sites"…): per field,
    its first message. Back-office forms call it so that what they accept imports back."""
    errors: dict[str, str] = {}
    for error in _item_validators()[kind].iter_errors(item):
        for path, message in _messages(error):
            if path:
                errors.setdefault(str(path[0]), message)
    return errors


# JSON types in words; translated when read (``_`` is gettext in a request).
_TYPE_NAMES = {
    "string": lambda: _("du texte"),
    "integer": lambda: _("un nombre entier"),
    "number": lambda: _("un nombre"),
    "boolean": lambda: _("vrai ou faux (true ou false)"),
    "array": lambda: _("une liste"),
    "object": lambda: _("un objet"),
    "null": lambda: "null",
}


def _type_name(name) -> str:
    if isinstance(name, list):
        return " / ".join(_type_name(n) for n in name)
    word = _TYPE_NAMES.get(name)
    return word() if word else str(name)


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _pattern_message(pattern: str) -> str:
    if pattern.startswith("^[a-z0-9]"):
        return _(
            "Code invalide : lettres minuscules sans accent, chiffres et tirets seulement, "
            "80 caractères au plus, sans tiret au début."
        )
    if "2A|2B" in pattern:
        return _("Code INSEE de commune invalide : 5 caractères, par exemple 16015 ou 2A004.")
    if pattern == "^[0-9]{5}$":
        return _("Code postal invalide : 5 chiffres.")
    if pattern.startswith("^[a-z]{2,3}"):
        return _("Code de langue invalide : 2 ou 3 lettres minuscules, par exemple fr.")
    return _("Valeur au mauvais format (motif attendu : %(pattern)s).", pattern=pattern)


def _format_message(fmt: str) -> str:
    if fmt == "date-time":
        return _(
            "Date et heure invalides : format attendu 2026-12-01T09:00:00+01:00, "
            "avec le décalage horaire."
        )
    if fmt == "date":
        return _("Date invalide : format attendu 2026-12-01.")
    if fmt == "email":
        return _("Adresse e-mail invalide.")
    if fmt == "uri":
        return _("Adresse web invalide : elle doit commencer par https://.")
    return _("Valeur au mauvais format (%(format)s).", format=fmt)


def _messages(error) -> list[tuple[list, str]]:
    """(path, message) pairs for one jsonschema error; some errors name several fields."""
    path = list(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        missing = [name for name in value if name not in error.instance]
        return [(path + [name], _("Champ obligatoire manquant.")) for name in missing]
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(name for name in error.instance if name not in known)
        return [
            (path + [name], _("Champ inconnu : il ne fait pas partie du format.")) for name in extra
        ]
    if kind == "type":
        message = _("Doit être %(type)s.", type=_type_name(value))
    elif kind == "enum":
        message = _(
            "Valeur %(value)s non reconnue. Valeurs possibles : %(choices)s.",
            value=_show(error.instance),
            choices=", ".join(str(v) for v in value),
        )
    elif kind == "const":
        message = _("Doit valoir %(value)s.", value=_show(value))
    elif kind == "pattern":
        message = _pattern_message(value)
    elif kind == "format":
        message = _format_message(value)
    elif kind == "minLength":
        message = _("Ne doit pas être vide.")
    elif kind == "maxLength":
        message = _("Trop long : %(max)s caractères au plus.", max=value)
    elif kind == "minimum":
        message = _("Doit être au moins %(min)s.", min=value)
    elif kind == "maximum":
        message = _("Doit être au plus %(max)s.", max=value)
    elif kind == "minItems":
        message = _("La liste doit contenir au moins %(min)s élément(s).", min=value)
    elif kind == "not" and "enum" in value:
        message = _("« %(value)s » est réservé : choisissez un autre code.", value=error.instance)
    elif kind == "oneOf" and error.context:
        # the alternative of the instance's own type names the real problems
        # (a team member given as an object: its fields, not "must be text")
        alternatives: dict[int, list] = {}
        for sub in error.context:
            alternatives.setdefault(sub.schema_path[0], []).append(sub)
        for subs in alternatives.values():
            if not any(sub.validator == "type" and not sub.path for sub in subs):
                return [pair for sub in subs for pair in _messages(sub)]
        return _messages(best_match(error.context))
    else:
        message = error.message
    return [(path, message)]


def schema_errors(data: object, progress=None) -> list[tuple[list, OfferError]]:
    """Every JSON Schema error, in file order, as (raw path, OfferError) pairs.

    ``progress(stage, done, total)`` is called every few thousand items.
    """
    top, per_kind = _validators()
    fast = fast_checks()
    raw = list(top.iter_errors(data))
    found = []
    if isinstance(data, dict):
        total = sum(len(v) for k, v in data.items() if k in per_kind and isinstance(v, list))
        done = 0
        for kind, validator in per_kind.items():
            items = data.get(kind)
            if not isinstance(items, list):
                continue
            quick = fast[kind]
            for i, item in enumerate(items):
                if quick(item):
                    done += 1
                    if progress is not None and done % PROGRESS_EVERY == 0:
                        progress("validation", done, total)
                    continue
                for error in validator.iter_errors(item):
                    for path, message in _messages(error):
                        found.append(([kind, i, *path], message))
                done += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress("validation", done, total)
        if progress is not None and total:
            progress("validation", total, total)
    for error in raw:
        found.extend(_messages(error))
    found.sort(key=lambda item: _sort_key(item[0]))
    return [(path, OfferError(json_path(path), message)) for path, message in found]


_TOP_ORDER = {"version": 0, "structures": 1, "sites": 2, "programmes": 3, "slots": 4, "cohorts": 5}


def _sort_key(path: list) -> tuple:
    key = tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in path)
    if path and isinstance(path[0], str):
        key = ((1, _TOP_ORDER.get(path[0], 9), path[0]),) + key[1:]
    return key
