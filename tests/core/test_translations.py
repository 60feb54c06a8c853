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
        # zh and bo have one plural form: form 0 stands for every count, like msgid_plural.
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
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


DJANGO = Path(__import__("django").__file__).resolve().parent
DJANGO_CATALOGUES = ("conf/locale", "contrib/auth/locale", "contrib/humanize/locale")


def test_django_messages_listed_for_translation_are_djangos_own():
    """xizang5g/django_messages.py lists Django's msgids byte for byte (a dropped no-break
    space would leave the Tibetan page with Django's Chinese fallback)."""
    django_keys = set()
    for folder in DJANGO_CATALOGUES:
        for entry in polib.pofile(str(DJANGO / folder / "zh_Hans" / "LC_MESSAGES" / "django.po")):
            django_keys.add((entry.msgctxt, entry.msgid, entry.msgid_plural))
    listed = [
        (e.msgctxt, e.msgid, e.msgid_plural)
        for e in _catalogue("bo")
        if any(path == "django_messages.py" for path, _line in e.occurrences)
    ]
    assert len(listed) > 100
    assert [key for key in listed if key not in django_keys] == []


def test_django_messages_speak_tibetan_not_the_chinese_fallback():
    import datetime

    from django import forms
    from django.contrib.humanize.templatetags.humanize import naturaltime
    from django.template.defaultfilters import yesno
    from django.utils import timezone

    class ReportForm(forms.Form):
        count = forms.IntegerField(max_value=10)
        on = forms.DateField()
        note = forms.CharField()

    with translation.override("bo"):
        form = ReportForm({"count": "11", "on": "27/11"})
        assert not form.is_valid()
        texts = [str(m) for messages in form.errors.values() for m in messages]
        texts += [naturaltime(timezone.now() - datetime.timedelta(minutes=3)), yesno(True)]
    assert texts == [
        "གྲངས་ཐང་འདི་ 10 ལས་ཆུང་བའམ་མཉམ་པ་ཡིན་དགོས།",
        "ནུས་ལྡན་གྱི་ཚེས་གྲངས་ཤིག་འཇུག་རོགས།",
        "ཚན་པ་འདི་ངེས་པར་འབྲི་དགོས།",
        "སྐར་མ་ 3 སྔོན་ལ།",
        "ཡིན།",
    ]
    with translation.override("en"):
        assert naturaltime(timezone.now() - datetime.timedelta(minutes=3)) == "3\xa0minutes ago"
