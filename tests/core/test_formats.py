"""Dates and numbers follow the reader's language (settings.FORMAT_MODULE_PATH = xizang5g.formats).

Django ships no format module for Tibetan: without ours a bo page fell back to the American
"N j, Y" with month names from the Chinese catalogue ("十一月 27, 2026").
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import engines
from django.utils import formats, translation

DAY = datetime.date(2026, 11, 27)
MOMENT = datetime.datetime(2026, 11, 27, 6, 5, tzinfo=datetime.UTC)  # 14:05 in Beijing

EXPECTED = {
    "zh-hans": ("2026年11月27日", "2026年11月27日 14:05", "2026年11月", "12345"),
    "bo": ("སྤྱི་ལོ་2026 ཟླ་11 ཚེས་27", "སྤྱི་ལོ་2026 ཟླ་11 ཚེས་27 14:05", "སྤྱི་ལོ་2026 ཟླ་11", "12,345"),
    "en": ("27 Nov 2026", "27 Nov 2026 14:05", "Nov 2026", "12,345"),
}


@pytest.mark.parametrize("language", list(EXPECTED))
def test_a_template_renders_dates_and_numbers_in_each_language(language):
    date_text, datetime_text, month_text, number_text = EXPECTED[language]
    template = engines["django"].from_string(
        "{% load humanize %}{{ day }}|{{ moment }}|{{ day|date:'YEAR_MONTH_FORMAT' }}|{{ n|intcomma }}"
    )
    with translation.override(language):
        html = template.render({"day": DAY, "moment": MOMENT, "n": 12345})
    assert html == f"{date_text}|{datetime_text}|{month_text}|{number_text}"


@pytest.mark.parametrize("language", list(EXPECTED))
def test_no_month_name_from_another_language(language):
    with translation.override(language):
        text = formats.date_format(DAY) + formats.date_format(
            MOMENT.astimezone(ZoneInfo("Asia/Shanghai")), "DATETIME_FORMAT"
        )
    assert "十一月" not in text or language == "zh-hans"
    assert "Nov." not in text and "p.m." not in text


@pytest.mark.parametrize("language", list(EXPECTED))
def test_forms_read_iso_dates_in_each_language(language):
    class DateForm(forms.Form):
        on = forms.DateField()

    with translation.override(language):
        form = DateForm({"on": "2026-11-27"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == DAY


def test_the_tibetan_format_module_is_ours():
    with translation.override("bo"):
        modules = [m.__name__ for m in formats.get_format_modules("bo")]
    assert modules[0] == "xizang5g.formats.bo.formats"
