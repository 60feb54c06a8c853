"""Text the system writes is stored as its source and parameters and read in the reader's
language: alert titles and messages on the pages and in the API."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from xizang5g.core.choices import AlertSource, AlertState
from xizang5g.core.services import alert_raise
from xizang5g.core.texts import Text, label, names, render_json

ABOVE = gettext_noop("%(prop)s = %(value)s (above %(threshold)s)")


def test_text_renders_in_each_language_with_names_and_labels():
    text = Text(
        gettext_noop("%(title)s · %(group)s"),
        title=Text(ABOVE, prop="spo2", value="130", threshold="100"),
        group=names(zh="拉萨市", bo="ལྷ་ས་གྲོང་ཁྱེར།", en="Lhasa"),
    )
    assert text.render_in("zh-hans") == "spo2 = 130（高于 100） · 拉萨市"
    assert text.render_in("en") == "spo2 = 130 (above 100) · Lhasa"
    bo = text.render_in("bo")
    assert "ལྷ་ས་གྲོང་ཁྱེར།" in bo and "ལས་མཐོ" in bo
    # stored as JSON and read back the same
    with translation.override("en"):
        assert render_json(text.as_json()) == "spo2 = 130 (above 100) · Lhasa"
    # a label renders translated; a name without a Tibetan form falls back to Chinese
    state = Text(gettext_noop("%(kind)s: %(n)s"), kind=label(AlertState.OPEN), n=names(zh="那曲"))
    for language in ("zh-hans", "bo", "en"):
        with translation.override(language):
            open_label = str(AlertState.OPEN.label)
        assert state.render_in(language).startswith(open_label)
        assert state.render_in(language).endswith("那曲")
    assert state.render_in("zh-hans") != state.render_in("en")


def test_a_broken_translation_falls_back_to_the_source():
    text = Text("%(missing)s and %(n)s", n=3, missing="x")
    assert text.render_in("zh-hans") == "x and 3"
    assert render_json({}, "stored title") == "stored title"


@pytest.mark.django_db
def test_alert_title_in_the_readers_language(client, plan_admin):
    alert, created = alert_raise(
        source=AlertSource.DEVICE_RULE,
        dedup_key="texts:1",
        title=Text(ABOVE, prop="temperature", value="41.5", threshold="40"),
        message=Text(gettext_noop("data received again")),
    )
    assert created
    assert alert.title == "temperature = 41.5（高于 40）"  # the stored (searchable) rendering
    client.force_login(plan_admin)
    page = client.get(reverse("core:alert_detail", args=[alert.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "temperature = 41.5 (above 40)" in page.text
    assert "data received again" in page.text
    page = client.get(reverse("core:alert_detail", args=[alert.pk]), HTTP_ACCEPT_LANGUAGE="bo")
    assert "temperature = 41.5 (40 ལས་མཐོ།)" in page.text
    api = client.get(f"/api/v1/core/alerts/{alert.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["title"] == "temperature = 41.5 (above 40)"
    api = client.get(f"/api/v1/core/alerts/{alert.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert api["title"] == "temperature = 41.5（高于 40）"
    assert api["message"] == "已重新收到数据"


def test_a_text_field_stores_the_source_when_it_fits():
    from xizang5g.core.texts import from_field, to_field

    stored = to_field(
        Text(gettext_noop("P.452: %(done)s/%(total)s profiles"), done=5, total=9), 200
    )
    assert stored.startswith('{"msgid":')
    with translation.override("en"):
        assert from_field(stored) == "P.452: 5/9 profiles"
    with translation.override("zh-hans"):
        assert from_field(stored) != "P.452: 5/9 profiles" and "5/9" in from_field(stored)
    # too long for the column: the platform language's rendering, cut to fit
    long = to_field(Text(gettext_noop("%(n)s cases on %(day)s."), n="9" * 300, day="x"), 50)
    assert len(long) == 50 and not long.startswith("{")
    assert from_field("plain words") == "plain words"
