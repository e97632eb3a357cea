"""Control and invisible characters in what people send.

Two layers:

* every request (:func:`refuse_control_characters`): a control character in
  the path is a 404, in the query string a 400; a NUL anywhere in a posted form
  is a 400 (PostgreSQL cannot store it, and no keyboard types it);
* every form field (``core.forms.BaseForm``): :func:`strip_invisible` removes
  bidirectional overrides and zero-width characters (they reverse or hide the
  text shown beside a name, e.g. a phone number), then
  :func:`control_character_message` refuses what is left (ESC, a pasted tab, a
  line break in a one-line field) with a message next to the field.

Arabic needs some of these characters: the right-to-left and Arabic letter
marks and the zero-width (non-)joiner stay in text that holds right-to-left
letters; elsewhere they have no use and go too.
"""

import re

from flask import abort, request

# bidirectional embeddings, overrides and isolates; zero-width space, word joiner,
# invisible operators, deprecated format characters, byte-order mark
_ALWAYS = "\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\u206a-\u206f\ufeff\u180e"
# marks and joiners that right-to-left writing uses (ZWNJ, ZWJ, LRM, RLM, ALM)
_RTL_MARKS = "\u200c\u200d\u200e\u200f\u061c"
_INVISIBLE = re.compile(f"[{_ALWAYS}]")
_INVISIBLE_ALL = re.compile(f"[{_ALWAYS}{_RTL_MARKS}]")
# Hebrew, Arabic, Syriac, Thaana, N'Ko… and the Arabic presentation forms
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# C0 controls and DEL; C1 controls
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_invisible(value):
    """``value`` without bidirectional overrides and zero-width characters.

    RLM, LRM, ALM, ZWNJ and ZWJ are kept in text that holds right-to-left letters.
    Anything that is not a string is returned as it is (a filter for form fields).
    """
    if not isinstance(value, str):
        return value
    pattern = _INVISIBLE if _RTL_LETTER.search(value) else _INVISIBLE_ALL
    return pattern.sub("", value)


def has_control(value: str, *, multiline: bool = False) -> bool:
    """Whether ``value`` holds a control character (tab and line breaks allowed if
    ``multiline``)."""
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL).search(value))


def single_line(value: str) -> str:
    """``value`` on one line: line breaks and other controls become spaces (for text
    already stored, e.g. a title shown in a calendar)."""
    return " ".join(_CONTROL.sub(" ", value).split()) if value else value


def refuse_control_characters() -> None:
    """``before_request``: see the module docstring."""
    if has_control(request.path):
        abort(404)
    for key, value in request.args.items(multi=True):
        if has_control(key) or has_control(value):
            abort(400)
    if request.method == "POST" and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)


def init_app(app) -> None:
    app.before_request(refuse_control_characters)
