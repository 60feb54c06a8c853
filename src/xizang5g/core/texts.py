"""Text the system writes (alert titles, reasons), stored as its English source and parameters and
rendered when read, in the reader's language.

A writer marks the source with ``gettext_noop`` so that ``makemessages`` collects it into its app's
catalogue, and passes the values as named parameters::

    Text(gettext_noop("%(spot)s crowd warning: %(n)d visitors"), spot=names(spot), n=occupancy)

A parameter is a plain value (a dict is shown as JSON), a list (an enumeration), a name in several
languages (``names(...)``: rendered in the reader's language with Chinese as the fallback), or
another ``Text`` (a translated label: ``label(Choice.X)``). ``Text.as_json()`` is what a model stores; ``render_json``
reads it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext

FALLBACK = "zh-hans"


@dataclass(frozen=True)
class Text:
    msgid: str
    params: dict = field(default_factory=dict)

    def __init__(self, msgid: str, /, **params) -> None:
        object.__setattr__(self, "msgid", force_str(msgid))
        object.__setattr__(self, "params", params)

    def render(self) -> str:
        # Django's convention: named %-placeholders, which makemessages checks (python-format)
        values = {key: _render_value(value) for key, value in self.params.items()}
        try:
            return gettext(self.msgid) % values
        except (KeyError, TypeError, ValueError):
            # a translation with a broken placeholder must not hide the text: fall back to English
            return self.msgid % values

    def render_in(self, language: str) -> str:
        with translation.override(language):
            return self.render()

    def __str__(self) -> str:
        return self.render()

    def as_json(self) -> dict:
        return {"msgid": self.msgid, "params": {k: _json_value(v) for k, v in self.params.items()}}


def names(obj=None, *, zh: str = "", bo: str = "", en: str = "") -> dict:
    """A name in the platform's languages, from an object with ``name``/``name_bo``/``name_en`` or
    given explicitly; rendered in the reader's language."""
    if obj is not None:
        zh = zh or getattr(obj, "name_zh", "") or getattr(obj, "name", "") or str(obj)
        bo = bo or getattr(obj, "name_bo", "")
        en = en or getattr(obj, "name_en", "")
    return {
        "names": {key: value for key, value in (("zh-hans", zh), ("bo", bo), ("en", en)) if value}
    }


def label(choice) -> Text:
    """A choice's label (a lazily translated string) as a parameter that renders translated."""
    source = getattr(choice, "label", choice)
    with translation.override(None):
        return Text(force_str(source))


def render_json(stored: dict | None, default: str = "") -> str:
    """The text a model stored with ``Text.as_json()``, in the current language (or `default`)."""
    if not stored or "msgid" not in stored:
        return default
    return Text(stored["msgid"], **stored.get("params", {})).render()


def to_field(text: str | Text, max_length: int) -> str:
    """What a text field stores: a `Text` as compact JSON (rendered by `from_field`) when it fits,
    else its rendering in the platform's language; plain strings as they are."""
    if not isinstance(text, Text):
        return text[:max_length]
    encoded = json.dumps(text.as_json(), ensure_ascii=False, separators=(",", ":"))
    if len(encoded) <= max_length:
        return encoded
    return text.render_in(settings.LANGUAGE_CODE)[:max_length]


def from_field(stored: str) -> str:
    """A text field's value in the reader's language (see `to_field`)."""
    if stored.startswith('{"msgid":'):
        try:
            return render_json(json.loads(stored), stored)
        except ValueError:
            return stored
    return stored


def _json_value(value):
    if isinstance(value, Text):
        return value.as_json()
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return force_str(value)


def _render_value(value):
    if isinstance(value, Text):
        return value.render()
    if isinstance(value, list):
        # an enumeration: Chinese and Tibetan lists read with their own separators
        language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
        separator = {"zh-hans": "、", "bo": "། "}.get(language, ", ")
        return separator.join(str(_render_value(item)) for item in value)
    if isinstance(value, dict):
        if "msgid" in value:
            return Text(value["msgid"], **value.get("params", {})).render()
        if set(value) == {"names"}:
            return _pick_language(value["names"])
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _pick_language(by_language: dict) -> str:
    current = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    for code in (current, current.split("-")[0], FALLBACK):
        if by_language.get(code):
            return by_language[code]
    return next(iter(by_language.values()), "")
