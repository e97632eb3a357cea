"""The base of every form: text fields lose invisible characters and refuse control ones.

One place instead of a filter on each field (see ``core.clean``): every
``StringField`` and its kin (text areas, e-mail, search, hidden fields) gets the
filter and the check when the form is built; passwords are left as typed.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation

from .clean import has_control, strip_invisible


def no_control_characters(form, field) -> None:
    """Refuse a control character (a line break, unless the field has several lines)."""
    value = field.data
    if not isinstance(value, str):
        return
    multiline = isinstance(field, TextAreaField)
    if has_control(value, multiline=multiline):
        if not multiline and ("\n" in value or "\r" in value):
            raise StopValidation(_l("Écrivez ce texte sur une seule ligne."))
        raise StopValidation(_l("Ce texte contient un caractère invisible non autorisé."))


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                # (label, validators, filters) may also be given by position
                args = list(unbound_field.args)
                kwargs = dict(unbound_field.kwargs)
                for index, name in ((1, "validators"), (2, "filters")):
                    if len(args) > index:
                        kwargs[name] = args[index]
                kwargs["label"] = args[0] if args else kwargs.get("label")
                kwargs["filters"] = [strip_invisible, *(kwargs.get("filters") or ())]
                kwargs["validators"] = [no_control_characters, *(kwargs.get("validators") or ())]
                unbound_field = UnboundField(field_class, **kwargs)
            return unbound_field.bind(form=form, **options)
