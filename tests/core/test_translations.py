"""The UI speaks Simplified Chinese first; Tibetan and English follow."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "src" / "xizang5g" / "locale"
PLACEHOLDER = __import__("re").compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_chinese_catalogue_is_complete():
    catalogue = _catalogue("zh_Hans")
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", ["zh_Hans", "bo"])
def test_translations_keep_their_placeholders(language):
    for entry in _catalogue(language).translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        got = sorted(PLACEHOLDER.findall(entry.msgstr or entry.msgstr_plural.get(0, "")))
        assert wanted == got, f"{language}: {entry.msgid!r} -> {entry.msgstr!r}"


def test_all_three_catalogues_exist_and_tibetan_covers_the_layout():
    for language in ("zh_Hans", "bo", "en"):
        assert (LOCALE / language / "LC_MESSAGES" / "django.po").exists()
    tibetan = {e.msgid: e.msgstr for e in _catalogue("bo").translated_entries()}
    for msgid in ("Xizang 5G Application Platform", "Log in", "Plan supervision", "Pilot projects"):
        assert tibetan.get(msgid), msgid


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "规划督办"), ("en", "Plan supervision"), ("bo", "འཆར་གཞི་ལྟ་སྐུལ།")],
)
def test_pages_render_in_each_language(client, plan_admin, language, expected):
    client.force_login(plan_admin)
    client.cookies["django_language"] = language
    html = client.get(reverse("plan:dashboard")).content.decode()
    assert f'lang="{language}"' in html
    if language == "bo":
        assert any("\u0f00" <= ch <= "\u0fff" for ch in html)
    else:
        assert expected in html


def test_default_language_is_simplified_chinese(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in html
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") != "Log in"


@pytest.mark.parametrize("language", ["zh-hans", "bo", "en"])
def test_the_language_menu_names_each_language_in_itself(client, language):
    client.cookies["django_language"] = language
    html = client.get(reverse("login")).content.decode()
    menu = html[html.index('name="language"') : html.index("</select>")]
    for code, name in (("zh-hans", "简体中文"), ("bo", "བོད་ཡིག"), ("en", "English")):
        assert f'<option value="{code}" lang="{code}"' in menu
        assert f">{name}</option>" in menu
    assert f'value="{language}" lang="{language}" selected' in menu
    for translated_name in ("英语", "藏语", "Simplified Chinese", "Tibetan"):
        assert translated_name not in menu
