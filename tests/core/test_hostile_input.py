"""core.limits against hostile input: the readers themselves (tables, text, JSON, numbers), then
the requests every app shares: integers beyond 64 bits in query and path parameters, bodies over
the size limit, JSON nested 100,000 deep in any API body. The app-specific pages and endpoints
are covered beside each app (tests/<app>/test_hostile.py)."""

import csv
import io
import json
import re
import zipfile

import pytest
from openpyxl import Workbook

from tests.hostile import (
    assert_cheap,
    deep_json,
    deep_json_object,
    header_row,
    hostile_workbooks,
    measured,
    warm_up,
    xlsx,
)
from xizang5g.core import limits
from xizang5g.core.models import Alert

HEADERS = ["name", "value"]
BEYOND_64_BITS = str(2**64 + 1)


# ---- tables ------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(hostile_workbooks(HEADERS)))
def test_hostile_workbooks_are_refused_cheaply(case):
    content = hostile_workbooks(HEADERS)[case]
    with measured() as cost, pytest.raises(limits.InputRejected) as refused:
        list(limits.table_rows(content, "t.xlsx"))
    assert refused.value.status == 422 and refused.value.message
    assert_cheap(cost)


def test_a_normal_workbook_is_read_with_its_values():
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(["温度", 21.5])
    book.active.append([None, None])
    book.active.append(["湿度", 40])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = list(limits.table_rows(buffer.getvalue(), "t.xlsx"))
    assert rows == [("name", "value"), ("温度", 21.5), (), ("湿度", 40)]
    assert limits.table_row_count(buffer.getvalue(), "t.xlsx") == 3


def test_row_limit_and_columns_beyond_the_limit(settings):
    settings.XZ5G_IMPORT_MAX_ROWS = 10
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 13))
    with pytest.raises(limits.InputRejected, match="more than 10 rows"):
        list(limits.table_rows(xlsx(header_row(HEADERS) + rows), "t.xlsx"))
    wide = '<row r="2"><c r="ZZ2" t="inlineStr"><is><t>far</t></is></c></row>'
    with pytest.raises(limits.InputRejected, match="value in column ZZ"):
        list(limits.table_rows(xlsx(header_row(HEADERS) + wide), "t.xlsx"))
    far = '<row r="2"><c r="XFD2" s="1"/></row>' * 3
    with pytest.raises(limits.InputRejected, match="cell at XFD2"):
        list(limits.table_rows(xlsx(header_row(HEADERS) + far), "t.xlsx"))


def test_zip_bombs_and_broken_packages_are_refused():
    with pytest.raises(limits.InputRejected, match=r"not a valid \.xlsx"):
        list(limits.table_rows(b"%PDF-1.4", "t.xlsx"))
    with pytest.raises(limits.InputRejected, match="damaged"):
        list(limits.table_rows(b"PK\x03\x04" + b"\x00" * 40, "t.xlsx"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w/>")
    with pytest.raises(limits.InputRejected, match=r"xl/workbook\.xml"):
        list(limits.table_rows(buffer.getvalue(), "t.xlsx"))


def test_csv_in_gb18030_is_decoded_and_bad_bytes_are_refused():
    content = "name,value\n温度,21.5\n".encode("gb18030")
    assert list(limits.table_rows(content, "t.csv")) == [["name", "value"], ["温度", "21.5"]]
    with pytest.raises(limits.InputRejected, match="UTF-8, GB18030"):
        list(limits.table_rows(b"name\n\x81\x30\xff\xfe\n", "t.csv"))
    with pytest.raises(limits.InputRejected, match="not a readable CSV"):
        list(limits.table_rows(b"a,b\n1," + b"x" * 200_000 + b"\n", "t.csv"))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADERS, ["x" * 40_000, 1]])
    with pytest.raises(limits.InputRejected, match="Cell A2"):
        list(limits.table_rows(buffer.getvalue().encode(), "t.csv"))


def test_other_file_types_are_named():
    with pytest.raises(limits.InputRejected, match=r"old \.xls"):
        limits.table_kind("data.xls")
    with pytest.raises(limits.InputRejected, match=r"neither an \.xlsx nor a \.csv"):
        limits.table_kind("data.pdf")


# ---- JSON and numbers ----------------------------------------------------------------------------
def test_json_bounds_name_what_is_wrong():
    assert limits.parse_json(b'{"a": [1, {"b": 2.5}]}', what="x") == {"a": [1, {"b": 2.5}]}
    for body, reason in (
        (deep_json(), "nested more than 32 levels"),
        (deep_json_object(), "nested more than 32 levels"),
        (b'{"temp": NaN}', "temp is nan"),
        (b'{"a": {"b": [1, Infinity]}}', "a.b[1] is inf"),
        (b'{"v": 1e400}', "v is inf"),
        (b'{"v": NaN, "id": ' + BEYOND_64_BITS.encode() * 2 + b"}", "id is an integer beyond"),
        (b'{"a": ', "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
    ):
        with measured() as cost, pytest.raises(limits.InputRejected, match=re.escape(reason)):
            limits.parse_json(body, what="x")
        assert_cheap(cost)
    with pytest.raises(limits.InputRejected) as refused:
        limits.parse_json(b"[" + b"1," * 1000 + b"1]", what="x", max_bytes=100)
    assert refused.value.status == 413


def test_numbers_from_users_are_finite_and_bounded():
    assert limits.finite_float("3.5", field="f") == 3.5
    for text in ("nan", "inf", "-Infinity", "1e400", "abc"):
        with pytest.raises(ValueError, match="f:"):
            limits.finite_float(text, field="f")
    assert limits.bounded_int("42", field="n") == 42
    with pytest.raises(ValueError, match="n:"):
        limits.bounded_int(BEYOND_64_BITS, field="n")
    assert limits.db_ids(["1", "x", "0", BEYOND_64_BITS, "٣", " 7 "]) == [1, 7]


# ---- requests every app shares ------------------------------------------------------------------
QUERY_CASES = [
    ("/api/v1/core/alerts?unit_id={n}", "unit_id"),
    ("/api/v1/core/alerts?offset={n}", "offset"),
    ("/api/v1/iot/devices?offset={n}", "offset"),
    ("/api/v1/network/sites?offset={n}", "offset"),
    ("/api/v1/network/cells?site={n}", "site"),
    ("/api/v1/network/studies/1/pairs?earth_station_id={n}", "earth_station_id"),
    ("/api/v1/plan/projects?prefecture={n}", "prefecture"),
    ("/api/v1/security/events?limit={n}", "limit"),
]
# An id in a path is at most 18 digits (core.converters): a longer one is no URL of the platform.
PATH_CASES = [
    "/api/v1/network/studies/{n}/pairs",
    "/api/v1/plan/projects/{n}",
    "/api/v1/core/alerts/{n}",
    "/plan/projects/{n}/",
    "/iot/devices/{n}/",
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "parameter"), QUERY_CASES)
def test_integers_beyond_64_bits_answer_422_naming_the_parameter(
    client, plan_admin, url, parameter
):
    client.force_login(plan_admin)
    warm_up(client, "/api/v1/core/alerts")
    with measured() as cost:
        response = client.get(url.format(n=BEYOND_64_BITS))
    assert response.status_code == 422, response.content[:300]
    assert parameter in json.dumps(response.json())
    assert_cheap(cost)


@pytest.mark.django_db
@pytest.mark.parametrize("url", PATH_CASES)
def test_ids_beyond_64_bits_in_a_path_are_not_found(client, plan_admin, url):
    client.force_login(plan_admin)
    with measured() as cost:
        response = client.get(url.format(n=BEYOND_64_BITS))
    assert response.status_code == 404
    assert_cheap(cost)


@pytest.mark.django_db
def test_integers_beyond_64_bits_in_a_body_and_in_page_filters(client, plan_admin):
    client.force_login(plan_admin)
    response = client.post(
        "/api/v1/core/alerts/acknowledge",
        json.dumps({"ids": [int(BEYOND_64_BITS)]}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "ids" in json.dumps(response.json())
    response = client.post("/core/alerts/acknowledge/", {"ids": [BEYOND_64_BITS, "12"]})
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_body_over_the_limit_answers_413_before_it_is_read(client, plan_admin, settings):
    client.force_login(plan_admin)
    body = b"[" + b"1," * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2) + b"1]"
    alerts = Alert.objects.count()
    with measured() as cost:
        response = client.post(
            "/api/v1/core/alerts/acknowledge",
            body,
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 413
    assert "at most" in response.json()["detail"]
    assert cost.seconds < 2
    assert Alert.objects.count() == alerts


@pytest.mark.django_db
def test_deep_json_in_any_api_body_is_refused(client, plan_admin):
    client.force_login(plan_admin)
    warm_up(client, "/api/v1/core/alerts")
    with measured() as cost:
        response = client.post(
            "/api/v1/core/alerts/acknowledge",
            deep_json_object(),
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 422
    assert "nested more than 32 levels deep" in response.json()["detail"]
    assert_cheap(cost)


def test_api_times_out_of_any_real_range_are_refused():
    """A year of 242 or a −20:33 offset is a probe or a typo: 422 naming the problem, never a
    database error (PostgreSQL cannot store such a displacement)."""
    from pydantic import TypeAdapter, ValidationError

    from xizang5g.core import limits

    moment = TypeAdapter(limits.Moment)
    assert moment.validate_python("2026-08-01T10:00:00+08:00").year == 2026
    for bad, reason in (
        ("0242-10-01T10:30:25-20:33", "year"),
        ("2026-10-01T10:30:25-20:33", "offset"),
        ("9999-01-01T00:00:00Z", "year"),
    ):
        with pytest.raises(ValidationError, match=reason):
            moment.validate_python(bad)
