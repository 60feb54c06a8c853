"""The ecosystem's pages against hostile input: integers beyond 64 bits and junk in query and
form fields answer a page or a clear message, never a 500."""

from django.test import Client

BEYOND_64_BITS = str(2**64 + 1)


def test_huge_and_junk_numbers(approved, publish, office):
    _org, member = approved("藏北矿业", "mine")
    _other, operator = approved("移动西藏", "cm1", "operator")
    demand = publish("demand", member, "矿区专网", "尾矿库", industries=["mining"])
    publish("solution", operator, "矿山专网", "尾矿库", industries=["mining"])
    client = Client()
    client.force_login(member)
    for query in (
        f"?prefecture={BEYOND_64_BITS}",
        "?prefecture=٣",
        f"?page={BEYOND_64_BITS}",
        "?status=x",
    ):
        assert client.get("/ecosystem/demands/" + query).status_code == 200
    for value in (BEYOND_64_BITS, "abc", "-1", ""):
        answer = client.post(f"/ecosystem/demands/{demand.pk}/intent/", {"solution": value})
        assert answer.status_code == 302
    client.force_login(office)
    event = client.post(
        "/ecosystem/events/new/",
        {
            "title": "路演",
            "kind": "roadshow",
            "starts_at": "2099-01-01T10:00",
            "place": "拉萨",
            "capacity": "abc",
        },
    )
    assert event.status_code == 200 and 'data-error="capacity"' in event.content.decode()
