"""NEWS2 against the Royal College of Physicians' chart (2017): every band edge of every
parameter, both SpO2 scales, the oxygen score, the clinical response — through the contract
`POST /api/v1/health/news2` — and the altitude adjustment."""

import pytest
from django.test import override_settings

from xizang5g.health import news2

URL = "/api/v1/health/news2"

# A patient scoring 0 on every parameter.
NORMAL = {
    "respiration_rate": 16,
    "spo2": 98,
    "spo2_scale": 1,
    "on_oxygen": False,
    "systolic_bp": 120,
    "heart_rate": 70,
    "consciousness": "A",
    "temperature_c": 37.0,
}

# (parameter, value, score) — both sides of every band edge, read from the RCP NEWS2 chart.
EDGES = [
    # respiration rate: ≤8 | 9–11 | 12–20 | 21–24 | ≥25
    ("respiration_rate", 1, 3),
    ("respiration_rate", 8, 3),
    ("respiration_rate", 9, 1),
    ("respiration_rate", 11, 1),
    ("respiration_rate", 12, 0),
    ("respiration_rate", 20, 0),
    ("respiration_rate", 21, 2),
    ("respiration_rate", 24, 2),
    ("respiration_rate", 25, 3),
    ("respiration_rate", 80, 3),
    # SpO2 scale 1: ≤91 | 92–93 | 94–95 | ≥96
    ("spo2", 50, 3),
    ("spo2", 91, 3),
    ("spo2", 92, 2),
    ("spo2", 93, 2),
    ("spo2", 94, 1),
    ("spo2", 95, 1),
    ("spo2", 96, 0),
    ("spo2", 100, 0),
    # systolic BP: ≤90 | 91–100 | 101–110 | 111–219 | ≥220
    ("systolic_bp", 40, 3),
    ("systolic_bp", 90, 3),
    ("systolic_bp", 91, 2),
    ("systolic_bp", 100, 2),
    ("systolic_bp", 101, 1),
    ("systolic_bp", 110, 1),
    ("systolic_bp", 111, 0),
    ("systolic_bp", 219, 0),
    ("systolic_bp", 220, 3),
    ("systolic_bp", 300, 3),
    # pulse: ≤40 | 41–50 | 51–90 | 91–110 | 111–130 | ≥131
    ("heart_rate", 20, 3),
    ("heart_rate", 40, 3),
    ("heart_rate", 41, 1),
    ("heart_rate", 50, 1),
    ("heart_rate", 51, 0),
    ("heart_rate", 90, 0),
    ("heart_rate", 91, 1),
    ("heart_rate", 110, 1),
    ("heart_rate", 111, 2),
    ("heart_rate", 130, 2),
    ("heart_rate", 131, 3),
    ("heart_rate", 300, 3),
    # consciousness: A | C V P U
    ("consciousness", "A", 0),
    ("consciousness", "C", 3),
    ("consciousness", "V", 3),
    ("consciousness", "P", 3),
    ("consciousness", "U", 3),
    # temperature: ≤35.0 | 35.1–36.0 | 36.1–38.0 | 38.1–39.0 | ≥39.1
    ("temperature_c", 25.0, 3),
    ("temperature_c", 35.0, 3),
    ("temperature_c", 35.1, 1),
    ("temperature_c", 36.0, 1),
    ("temperature_c", 36.1, 0),
    ("temperature_c", 38.0, 0),
    ("temperature_c", 38.1, 1),
    ("temperature_c", 39.0, 1),
    ("temperature_c", 39.1, 2),
    ("temperature_c", 45.0, 2),
]

# SpO2 scale 2: ≤83 | 84–85 | 86–87 | 88–92 (and ≥93 on air) | 93–94 | 95–96 | ≥97 on oxygen.
# (spo2, on_oxygen, SpO2 score) — the oxygen parameter adds its own 2 separately.
SCALE2 = [
    (50, False, 3),
    (83, False, 3),
    (84, False, 2),
    (85, False, 2),
    (86, False, 1),
    (87, False, 1),
    (88, False, 0),
    (92, False, 0),
    (93, False, 0),
    (97, False, 0),
    (100, False, 0),
    (83, True, 3),
    (84, True, 2),
    (87, True, 1),
    (88, True, 0),
    (92, True, 0),
    (93, True, 1),
    (94, True, 1),
    (95, True, 2),
    (96, True, 2),
    (97, True, 3),
    (100, True, 3),
]


def post(client, *observations):
    return client.post(URL, {"observations": list(observations)}, content_type="application/json")


@pytest.fixture
def api(client, viewer):
    client.force_login(viewer)
    return client


@pytest.mark.django_db
def test_every_band_edge_of_every_parameter(api):
    items = [{**NORMAL, name: value} for name, value, _score in EDGES]
    response = post(api, *items)
    assert response.status_code == 200, response.content
    results = response.json()
    assert len(results) == len(EDGES)
    for (name, value, expected), result in zip(EDGES, results, strict=True):
        assert result["parameters"][name] == expected, (name, value, result)
        others = {k: v for k, v in result["parameters"].items() if k != name}
        assert set(others.values()) == {0}, (name, value, result)
        assert result["score"] == expected


@pytest.mark.django_db
def test_spo2_scale_2_on_air_and_on_oxygen(api):
    items = [
        {**NORMAL, "spo2_scale": 2, "spo2": spo2, "on_oxygen": oxygen}
        for spo2, oxygen, _score in SCALE2
    ]
    results = post(api, *items).json()
    for (spo2, oxygen, expected), result in zip(SCALE2, results, strict=True):
        assert result["parameters"]["spo2"] == expected, (spo2, oxygen, result)
        assert result["parameters"]["on_oxygen"] == (2 if oxygen else 0)
        assert result["score"] == expected + (2 if oxygen else 0)


@pytest.mark.django_db
def test_scale_1_on_oxygen_adds_two_and_keeps_the_scale_1_bands(api):
    (result,) = post(api, {**NORMAL, "on_oxygen": True, "spo2": 97}).json()
    assert result["parameters"]["spo2"] == 0
    assert result["parameters"]["on_oxygen"] == 2
    assert result["score"] == 2
    assert result["response"] == "low"


@pytest.mark.django_db
def test_clinical_response_thresholds(api):
    cases = [
        (NORMAL, 0, "low"),
        ({**NORMAL, "heart_rate": 95, "temperature_c": 38.5}, 2, "low"),  # 1 + 1
        # aggregate 4 without a red score: still low
        ({**NORMAL, "respiration_rate": 22, "systolic_bp": 95}, 4, "low"),
        # a single parameter scoring 3 with an aggregate under 5: low-medium
        ({**NORMAL, "consciousness": "V"}, 3, "low-medium"),
        ({**NORMAL, "spo2": 91, "heart_rate": 95}, 4, "low-medium"),
        # 5 and 6: medium (with or without a red score)
        ({**NORMAL, "respiration_rate": 22, "systolic_bp": 95, "heart_rate": 95}, 5, "medium"),
        ({**NORMAL, "consciousness": "U", "systolic_bp": 95}, 5, "medium"),
        ({**NORMAL, "respiration_rate": 22, "systolic_bp": 95, "heart_rate": 115}, 6, "medium"),
        # 7 and more: high
        ({**NORMAL, "respiration_rate": 25, "systolic_bp": 95, "heart_rate": 115}, 7, "high"),
        (
            {
                "respiration_rate": 30,
                "spo2": 85,
                "spo2_scale": 1,
                "on_oxygen": True,
                "systolic_bp": 85,
                "heart_rate": 140,
                "consciousness": "U",
                "temperature_c": 34.0,
            },
            20,
            "high",
        ),
    ]
    results = post(api, *[c[0] for c in cases]).json()
    for (_obs, score, response), result in zip(cases, results, strict=True):
        assert (result["score"], result["response"]) == (score, response), result


@pytest.mark.django_db
def test_altitude_absent_or_zero_is_exactly_news2_even_with_the_adjustment_on(api):
    items = [{**NORMAL, "spo2": v} for v in range(88, 98)]
    plain = post(api, *items).json()
    with override_settings(HEALTH_NEWS2_ALTITUDE_ADJUSTMENT=True):
        at_zero = post(api, *[{**i, "altitude_m": 0} for i in items]).json()
        absent = post(api, *items).json()
    assert plain == at_zero == absent
    assert [r["parameters"]["spo2"] for r in plain] == [3, 3, 3, 3, 2, 2, 1, 1, 0, 0]


@pytest.mark.django_db
def test_altitude_is_ignored_while_the_adjustment_is_off(api):
    (result,) = post(api, {**NORMAL, "spo2": 90, "altitude_m": 4500}).json()
    assert result["parameters"]["spo2"] == 3


@pytest.mark.django_db
@override_settings(HEALTH_NEWS2_ALTITUDE_ADJUSTMENT=True)
def test_altitude_adjustment_lowers_the_scale_1_bands(api):
    # At 4,500 m the default table shifts scale 1 by 8 points: ≤83 → 3, 84–85 → 2, 86–87 → 1.
    assert news2.altitude_shift(4500) == 8
    items = [{**NORMAL, "spo2": v, "altitude_m": 4500} for v in (83, 84, 85, 86, 87, 88, 96)]
    scores = [r["parameters"]["spo2"] for r in post(api, *items).json()]
    assert scores == [3, 2, 2, 1, 1, 0, 0]
    # Scale 2 is prescribed by a clinician and never shifted.
    (scale2,) = post(api, {**NORMAL, "spo2_scale": 2, "spo2": 85, "altitude_m": 4500}).json()
    assert scale2["parameters"]["spo2"] == 2


def test_altitude_shift_table():
    assert news2.altitude_shift(0) == 0
    assert news2.altitude_shift(1500) == 0
    assert news2.altitude_shift(2000) == 1
    assert news2.altitude_shift(3000) == 4  # 2 + 3 × 0.5 = 3.5 → 4 (halves up)
    assert news2.altitude_shift(3650) == 5  # Lhasa: 5 + 3 × 0.15 = 5.45 → 5
    assert news2.altitude_shift(9000) == 12
    table = ((0, 0), (1000, 10))
    assert news2.altitude_shift(500, table) == 5


@pytest.mark.django_db
@override_settings(
    HEALTH_NEWS2_ALTITUDE_ADJUSTMENT=True, HEALTH_NEWS2_ALTITUDE_SHIFTS=((0, 0), (3000, 3))
)
def test_the_altitude_table_is_configurable(api):
    (result,) = post(api, {**NORMAL, "spo2": 91, "altitude_m": 3000}).json()
    # shift 3: ≤88 → 3, 89–90 → 2, 91–92 → 1, ≥93 → 0
    assert result["parameters"]["spo2"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"spo2": None}, "spo2"),
        ({"respiration_rate": "fast"}, "respiration_rate"),
        ({"respiration_rate": 16.5}, "respiration_rate"),
        ({"heart_rate": 0}, "heart_rate"),
        ({"heart_rate": 301}, "heart_rate"),
        ({"spo2": 101}, "spo2"),
        ({"spo2": 49}, "spo2"),
        ({"spo2_scale": 3}, "spo2_scale"),
        ({"on_oxygen": "yes"}, "on_oxygen"),
        ({"systolic_bp": 39}, "systolic_bp"),
        ({"consciousness": "X"}, "consciousness"),
        ({"consciousness": "a"}, "consciousness"),
        ({"temperature_c": 46}, "temperature_c"),
        ({"temperature_c": "37"}, "temperature_c"),
        ({"altitude_m": -1}, "altitude_m"),
        ({"altitude_m": 6001}, "altitude_m"),
    ],
)
def test_bad_input_is_422_naming_the_item_index_and_the_field(api, change, field):
    bad = {k: v for k, v in {**NORMAL, **change}.items() if v is not None}
    response = post(api, NORMAL, NORMAL, bad)
    assert response.status_code == 422, response.content
    body = response.json()
    fields = {e["field"] for e in body["errors"]}
    assert f"observations.2.{field}" in fields, body
    assert f"observations.2.{field}" in body["detail"]


@pytest.mark.django_db
def test_missing_observations_and_empty_list_are_422(api):
    for payload in ({}, {"observations": []}, {"observations": "x"}):
        response = api.post(URL, payload, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "observations"


@pytest.mark.django_db
def test_news2_needs_a_login(client):
    assert post(client, NORMAL).status_code == 401


def test_the_pure_function_matches_the_chart():
    obs = news2.Observation(**NORMAL)
    assert news2.score(obs).as_dict() == {
        "score": 0,
        "parameters": dict.fromkeys(
            [
                "respiration_rate",
                "spo2",
                "on_oxygen",
                "systolic_bp",
                "heart_rate",
                "consciousness",
                "temperature_c",
            ],
            0,
        ),
        "response": "low",
    }
    # a temperature between chart tenths is read to one decimal, halves up
    assert (
        news2.score(news2.Observation(**{**NORMAL, "temperature_c": 35.04})).parameters[
            "temperature_c"
        ]
        == 3
    )
    assert (
        news2.score(news2.Observation(**{**NORMAL, "temperature_c": 35.05})).parameters[
            "temperature_c"
        ]
        == 1
    )
