"""GOV.UK Design System markup for Django forms.

Set ``FORM_RENDERER = "coopgov.web.forms.GovUKFormRenderer"`` and every form renders the GOV.UK way:

* ``{{ form }}`` renders the hidden fields, any non-field errors and every visible field through
  ``includes/field.html``;
* ``{{ form.email.as_field_group }}`` or
  ``{% include "includes/field.html" with field=form.email %}`` renders one field as a
  ``govuk-form-group``: label (or fieldset legend for radios, checkboxes and dates), hint from
  ``help_text``, error message, and the control with the right ``govuk-*`` class;
* ``{{ form.email }}`` renders just the control, already carrying its GOV.UK class, ``aria-invalid``
  and an ``aria-describedby`` that points at the hint and error message ids;
* ``base.html`` puts the error summary (``includes/error_summary.html``) at the top of ``<main>``
  and prefixes the page title with "Error: " whenever the context's ``form`` has errors.  Each
  summary entry links to the first control of its field (:attr:`GovUKBoundField.anchor_id`).

Dates use :class:`GovUKDateField` (day, month and year boxes, as the GOV.UK date input pattern asks)
instead of Django's select-based widget.

Admin forms share the renderer; the GOV.UK classes are *added* to a widget's own classes (never
replacing them) and the admin does not load the GOV.UK stylesheet, so it is unaffected.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import __file__ as django_forms_file
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList, pretty_name
from django.template.backends.django import DjangoTemplates as DjangoTemplatesBackend
from django.utils.functional import cached_property

__all__ = [
    "GovUKBoundField",
    "GovUKDateField",
    "GovUKDateWidget",
    "GovUKFormRenderer",
    "field_kind",
]

#: The kinds of control the field template knows how to lay out.
KINDS = frozenset(
    {"hidden", "input", "password", "select", "textarea", "file"} | {"radios", "checkboxes", "checkbox", "date"}
)

#: Kinds laid out as a ``<fieldset>`` with a ``<legend>`` (several controls answer one question).
FIELDSET_KINDS = frozenset({"radios", "checkboxes", "date"})

#: Kinds answered by typing: a missing answer is "Enter …"; any other kind is "Select …".
_TEXT_KINDS = frozenset({"input", "password", "textarea", "date"})

#: The class each kind of control carries, and the modifier added when the field has an error.
_CONTROL_CLASS: dict[str, tuple[str, str]] = {
    "input": ("govuk-input", "govuk-input--error"),
    "password": (
        "govuk-input govuk-password-input__input govuk-js-password-input-input",
        "govuk-input--error",
    ),
    "select": ("govuk-select", "govuk-select--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "radios": ("govuk-radios__input", ""),
    "checkboxes": ("govuk-checkboxes__input", ""),
    "checkbox": ("govuk-checkboxes__input", ""),
}


def field_kind(widget: forms.Widget) -> str:
    """Which GOV.UK component lays out ``widget`` (one of :data:`KINDS`)."""
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, GovUKDateWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):  # a RadioSelect subclass: test it first
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


def _join_classes(*parts: object) -> str:
    seen: list[str] = []
    for part in parts:
        if not part:
            continue
        for name in str(part).split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


class GovUKBoundField(BoundField):
    """A bound field that knows its GOV.UK component, hint id, error id and error-summary anchor."""

    @cached_property
    def kind(self) -> str:
        return field_kind(self.field.widget)

    @property
    def errors(self) -> ErrorList:
        """The field's errors, with Django's generic "This field is required." made specific.

        GOV.UK error messages say what to do ("Enter your email address", "Select a sector");
        a field that sets its own ``required`` message keeps it.
        """
        errors: ErrorList = super().errors
        generic = str(forms.Field.default_error_messages["required"])
        if not any(getattr(e, "code", None) == "required" for e in errors.data):
            return errors
        replaced: list[Any] = [
            ValidationError(self.required_message(), code="required")
            if isinstance(e, ValidationError) and e.code == "required" and str(e.message) == generic
            else e
            for e in errors.data
        ]
        specific = ErrorList(replaced, renderer=errors.renderer)
        specific.error_class = errors.error_class
        return specific

    def required_message(self) -> str:
        """What to tell someone who left this field empty."""
        label = str(self.label or pretty_name(self.name)).strip()
        if label.endswith("?"):
            return "Answer the question" if self.kind in _TEXT_KINDS else "Select an answer"
        phrase = label[:1].lower() + label[1:] if not label[:2].isupper() else label
        if self.kind in _TEXT_KINDS:
            return f"Enter {phrase}"
        if self.kind == "file":
            return "Select a file"
        if self.kind == "checkbox":
            return f"Select ‘{label}’ to continue"
        return f"Select {phrase}"

    @property
    def is_fieldset(self) -> bool:
        return self.kind in FIELDSET_KINDS

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id or self.html_name}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id or self.html_name}-error"

    @property
    def describedby(self) -> str:
        """The ids of this field's hint and error message, in reading order ("" if neither)."""
        ids = []
        if self.help_text:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def show_optional(self) -> bool:
        """Whether the label says "(optional)".

        GOV.UK marks optional questions rather than required ones.  A form in which nothing is
        required (a search or filter form) marks nothing: every label would say it.  A form can
        also opt out with ``hide_optional = True``.
        """
        if self.field.required or getattr(self.form, "hide_optional", False):
            return False
        return any(f.required for f in self.form.fields.values())

    @property
    def anchor_id(self) -> str:
        """The id the error summary links to: the first control of the field.

        Radios, checkboxes and the date input number their controls ``<id>_0``, ``<id>_1``, ….
        """
        base = self.field.widget.attrs.get("id") or self.auto_id or self.html_name
        if self.kind in FIELDSET_KINDS:
            return f"{base}_0"
        return self.id_for_label or base

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        kind = field_kind(widget)
        # Django's aria-describedby points at "<id>_helptext"/"<id>_error"; ours at the GOV.UK ids.
        # Inside a fieldset the fieldset carries it, not each radio or checkbox.
        attrs.pop("aria-describedby", None)
        if kind not in FIELDSET_KINDS and kind != "hidden":
            describedby = widget.attrs.get("aria-describedby") or self.describedby
            if describedby:
                attrs["aria-describedby"] = describedby
        if kind == "password":
            # The GOV.UK password input: never spell-checked or auto-capitalised.
            attrs.setdefault("spellcheck", "false")
            attrs.setdefault("autocapitalize", "none")
            if "autocomplete" not in widget.attrs:
                attrs.setdefault("autocomplete", "current-password")
        if kind in _CONTROL_CLASS:
            base, error = _CONTROL_CLASS[kind]
            attrs["class"] = _join_classes(
                base, widget.attrs.get("class"), attrs.get("class"), error if self.errors else ""
            )
        return attrs


class GovUKFormRenderer(DjangoTemplates):
    """Render forms, fields and errors with the GOV.UK templates in ``web/templates/includes``.

    The renderer's template engine looks in the project's template directories first (so the
    project can override any form template), then in every app's ``templates`` directory, then among
    Django's built-in form templates, so ``django.forms`` need not be in ``INSTALLED_APPS`` and
    admin widget templates that include ``django/forms/widgets/…`` still resolve.
    """

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
    bound_field_class = GovUKBoundField

    @cached_property
    def engine(self) -> DjangoTemplatesBackend:
        project_dirs: list[Path] = []
        for config in settings.TEMPLATES:
            if config.get("BACKEND") == "django.template.backends.django.DjangoTemplates":
                project_dirs.extend(Path(d) for d in config.get("DIRS", []))
        return DjangoTemplatesBackend(
            {
                "APP_DIRS": True,
                "DIRS": [*project_dirs, Path(django_forms_file).parent / "templates"],
                "NAME": "coopgov-forms",
                "OPTIONS": {},
            }
        )


class GovUKDateWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input component)."""

    template_name = "includes/widgets/date_input.html"
    use_fieldset = True
    parts = ("day", "month", "year")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        def box(width: int) -> forms.TextInput:
            classes = f"govuk-input govuk-date-input__input govuk-input--width-{width}"
            return forms.TextInput(attrs={"inputmode": "numeric", "class": classes})

        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": box(2),
            "month": box(2),
            "year": box(4),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        invalid = (attrs or {}).get("aria-invalid") == "true"
        for part, sub in zip(self.parts, context["widget"]["subwidgets"], strict=True):
            sub["part"] = part
            sub["label"] = part.capitalize()
            sub_attrs = sub["attrs"]
            sub_attrs.pop("required", None)  # the fieldset question is required, not each box
            sub_attrs.pop("aria-invalid", None)
            if invalid:
                sub_attrs["class"] = _join_classes(sub_attrs.get("class"), "govuk-input--error")
        return context


class GovUKDateField(forms.MultiValueField):
    """A date entered as day, month and year, with the GOV.UK pattern's error messages."""

    widget = GovUKDateWidget

    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "Enter a full date",
        "invalid": "Enter a real date",
    }

    def __init__(self, **kwargs: Any) -> None:
        parts = (
            forms.IntegerField(min_value=1, max_value=31),
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1000, max_value=9999),
        )
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=parts, **kwargs)

    def clean(self, value: Any) -> datetime.date | None:
        # Whatever went wrong in the parts, the user is told one thing about the date as a whole.
        parts = value if isinstance(value, list | tuple) else [None, None, None]
        given = [str(p).strip() if p is not None else "" for p in parts]
        if not any(given):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if not all(given):
            parts_given = zip(GovUKDateWidget.parts, given, strict=True)
            missing = [name for name, text in parts_given if not text]
            raise ValidationError("Date must include a " + " and ".join(missing), code="incomplete")
        try:
            day, month, year = (int(text) for text in given)
            result = datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if year < 1000:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        self.validate(result)
        self.run_validators(result)
        return result

    def compress(self, data_list: list[Any]) -> datetime.date | None:
        # Not reached through clean() above; kept for callers that use MultiValueField's protocol.
        if not data_list:
            return None
        day, month, year = data_list
        return datetime.date(year, month, day)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return bool(self.clean(data) != initial)
        except ValidationError:
            return True
