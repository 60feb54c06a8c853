"""The Handle REST API against a live server, driven by the real client pyhandle
(RESTHandleClient): register, resolve, modify, delete — and the contract's raw HTTP semantics."""

import base64
import json
import urllib.parse

import pytest
import requests
from django.core.management import call_command
from pyhandle.client.resthandleclient import RESTHandleClient
from pyhandle.handleexceptions import (
    HandleAlreadyExistsException,
    HandleAuthenticationError,
    HandleNotFoundException,
)

from xizang5g.core.choices import UnitKind
from xizang5g.industry.handles import flush_resolutions
from xizang5g.industry.models import HandleUser, Identifier, ResolutionCount

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # the live server's throw-away certificate
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]

PREFIX = "88.118.8"
PASSWORD = "Handle-Passw0rd-Jiama"


@pytest.fixture
def node(live_server, make_unit):
    unit = make_unit("jiama-copper", "西藏华泰龙矿业开发有限公司", UnitKind.ENTERPRISE)
    call_command(
        "handle_user",
        "create",
        "--prefix",
        PREFIX,
        "--name",
        "ADMIN",
        "--password",
        PASSWORD,
        "--unit",
        unit.code,
    )
    return live_server.url, unit


def _client(url, password=PASSWORD):
    return RESTHandleClient.instantiate_with_username_and_password(
        url, f"300:{PREFIX}/ADMIN", password, HTTPS_verify=False
    )


def test_pyhandle_register_resolve_modify_delete(node):
    url, unit = node
    client = _client(url)
    handle = f"{PREFIX}/ORE-2026-0001"
    assert (
        client.register_handle(handle, "https://jiama.example/ore/2026-0001", KIND="ore_batch")
        == handle
    )
    record = client.retrieve_handle_record_json(handle)
    assert record["responseCode"] == 1 and record["handle"] == handle
    by_type = {v["type"]: v for v in record["values"]}
    assert by_type["URL"]["index"] == 1
    assert by_type["URL"]["data"] == {
        "format": "string",
        "value": "https://jiama.example/ore/2026-0001",
    }
    assert by_type["HS_ADMIN"]["data"]["format"] == "admin"
    assert all("timestamp" in v and "ttl" in v for v in record["values"])
    stored = Identifier.objects.get(handle=handle)
    assert stored.unit == unit and stored.kind == "ore_batch"

    # registering again is refused (pyhandle reads first; the server refuses with 409/101 too)
    with pytest.raises(HandleAlreadyExistsException):
        client.register_handle(handle, "https://elsewhere.example/")

    # modify one value (PUT ?index=N&overwrite=true with just that value) and add another
    before = {v["index"]: v for v in record["values"]}
    client.modify_handle_value(
        handle, URL="https://jiama.example/ore/v2", PARENT_LOT=f"{PREFIX}/PIT-7"
    )
    after = {v["index"]: v for v in client.retrieve_handle_record_json(handle)["values"]}
    assert after[1]["data"]["value"] == "https://jiama.example/ore/v2"
    assert client.get_value_from_handle(handle, "PARENT_LOT") == f"{PREFIX}/PIT-7"
    untouched = [i for i in before if i != 1]
    assert all(after[i] == before[i] for i in untouched)  # the rest kept, timestamps too

    # delete one value, then the handle
    client.delete_handle_value(handle, "PARENT_LOT")
    assert client.get_value_from_handle(handle, "PARENT_LOT") is None
    assert client.delete_handle(handle) == handle
    assert client.retrieve_handle_record_json(handle) is None
    with pytest.raises(HandleNotFoundException):
        client.delete_handle(handle)


def test_wrong_password_and_admin_handle(node):
    url, _unit = node
    # clients read the admin handle anonymously before writing; the secret is never shown
    reply = requests.get(f"{url}/api/handles/{PREFIX}/ADMIN", verify=False, timeout=10)
    assert reply.status_code == 200 and reply.json()["responseCode"] == 1
    assert PASSWORD not in reply.text
    assert "pbkdf2" not in reply.text
    client = _client(url, password="not-the-password!")
    with pytest.raises(HandleAuthenticationError):
        client.register_handle(f"{PREFIX}/X1", "https://x.example/")
    assert not Identifier.objects.filter(handle=f"{PREFIX}/X1").exists()


def _auth(user=f"300:{PREFIX}/ADMIN", password=PASSWORD):
    token = f"{urllib.parse.quote(user)}:{password}".encode()
    return {
        "Authorization": "Basic " + base64.b64encode(token).decode(),
        "Content-Type": "application/json",
    }


def test_contract_over_raw_http(node):
    url, _unit = node
    base = f"{url}/api/handles/{PREFIX}/CEMENT-LOT-9"
    missing = requests.get(base, verify=False, timeout=10)
    assert missing.status_code == 404 and missing.json() == {
        "responseCode": 100,
        "handle": f"{PREFIX}/CEMENT-LOT-9",
    }

    body = {
        "values": [
            {"index": 1, "type": "URL", "data": "https://cement.example/lot/9"},
            {
                "index": 2,
                "type": "METADATA",
                "data": {"format": "json", "value": {"strength": "42.5R"}},
            },
        ]
    }
    anonymous = requests.put(base, data=json.dumps(body), verify=False, timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["responseCode"] == 402
    created = requests.put(base, data=json.dumps(body), headers=_auth(), verify=False, timeout=10)
    assert created.status_code == 201 and created.json()["responseCode"] == 1
    again = requests.put(
        base + "?overwrite=false", data=json.dumps(body), headers=_auth(), verify=False, timeout=10
    )
    assert again.status_code == 409 and again.json()["responseCode"] == 101

    first = requests.get(base, verify=False, timeout=10).json()
    one = {
        "values": [
            {
                "index": 2,
                "type": "METADATA",
                "data": {"format": "json", "value": {"strength": "52.5"}},
            }
        ]
    }
    changed = requests.put(
        base + "?index=2&overwrite=true",
        data=json.dumps(one),
        headers=_auth(),
        verify=False,
        timeout=10,
    )
    assert changed.status_code == 200
    now = requests.get(base, verify=False, timeout=10).json()
    assert now["values"][0] == first["values"][0]  # index 1 untouched
    assert now["values"][1]["data"] == {"format": "json", "value": {"strength": "52.5"}}
    only = requests.get(base + "?index=1", verify=False, timeout=10).json()
    assert [v["index"] for v in only["values"]] == [1]

    # another enterprise's prefix, bad bodies: 4xx naming the problem, nothing written
    other = requests.put(
        f"{url}/api/handles/88.118.9/X",
        data=json.dumps(body),
        headers=_auth(),
        verify=False,
        timeout=10,
    )
    assert other.status_code == 403 and "88.118.9" in other.json()["message"]
    bad = requests.put(base, data="{not json", headers=_auth(), verify=False, timeout=10)
    assert bad.status_code == 400 and bad.json()["responseCode"] == 2
    bad = requests.put(
        base,
        data=json.dumps({"values": [{"index": "x", "type": "URL", "data": "u"}]}),
        headers=_auth(),
        verify=False,
        timeout=10,
    )
    assert bad.status_code == 400 and "index" in bad.json()["message"]
    admin = requests.delete(
        f"{url}/api/handles/{PREFIX}/ADMIN", headers=_auth(), verify=False, timeout=10
    )
    assert admin.status_code == 403
    assert requests.get(base, verify=False, timeout=10).json()["values"][1]["data"]["value"] == {
        "strength": "52.5"
    }
    gone = requests.delete(base, headers=_auth(), verify=False, timeout=10)
    assert gone.status_code == 200 and gone.json()["responseCode"] == 1

    flush_resolutions()
    stats = ResolutionCount.objects.get(prefix=PREFIX)
    assert stats.hits >= 4 and stats.misses >= 1


def test_handle_user_command_validates(node):
    with pytest.raises(Exception, match="12"):
        call_command(
            "handle_user",
            "create",
            "--prefix",
            PREFIX,
            "--password",
            "short",
            "--unit",
            "jiama-copper",
        )
    with pytest.raises(Exception, match="88"):
        call_command(
            "handle_user",
            "create",
            "--prefix",
            "20.500",
            "--password",
            PASSWORD * 2,
            "--unit",
            "jiama-copper",
        )
    assert HandleUser.objects.count() == 1
