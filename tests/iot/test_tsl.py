"""Thing-model validation: normalisation, and precise errors with JSON paths."""

import json
import math

import pytest

from tests.iot.conftest import THING_MODEL
from xizang5g.iot.services import thing_model_parse
from xizang5g.iot.tsl import (
    ThingModelError,
    ValueRejected,
    check_value,
    compile_thing_model,
    to_stored,
    validate_thing_model,
)


def test_valid_model_is_normalised():
    model = validate_thing_model(THING_MODEL)
    level = model["properties"][0]
    assert level["dataType"]["specs"] == {
        "min": 0.0,
        "max": 100.0,
        "unit": "m",
    }  # strings → numbers
    assert model["events"][0]["type"] == "alert"
    assert validate_thing_model(model) == model  # idempotent (export → import)


def test_alibaba_export_with_implied_post_event_and_set_service():
    data = {
        "schema": "https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json",
        "profile": {"productKey": "a1b2c3"},
        "properties": [
            {
                "identifier": "temp",
                "name": "温度",
                "accessMode": "rw",
                "required": False,
                "dataType": {
                    "type": "float",
                    "specs": {
                        "min": "-40",
                        "max": "85",
                        "step": "0.1",
                        "unit": "°C",
                        "unitName": "摄氏度",
                    },
                },
            }
        ],
        "events": [
            {
                "identifier": "post",
                "name": "post",
                "type": "info",
                "required": True,
                "method": "thing.event.property.post",
                "outputData": [],
            }
        ],
        "services": [
            {
                "identifier": "set",
                "name": "set",
                "callType": "async",
                "method": "thing.service.property.set",
                "inputData": [],
                "outputData": [],
            }
        ],
    }
    model = validate_thing_model(data)
    assert [p["identifier"] for p in model["properties"]] == ["temp"]
    assert model["events"] == [] and model["services"] == []


@pytest.mark.parametrize(
    ("patch", "path", "fragment"),
    [
        (
            {"properties": [{"identifier": "9x", "name": "a", "dataType": {"type": "int"}}]},
            "properties[0].identifier",
            "not a valid identifier",
        ),
        (
            {"properties": [{"identifier": "a", "name": "a", "dataType": {"type": "long"}}]},
            "properties[0].dataType.type",
            "unknown data type 'long'",
        ),
        (
            {
                "properties": [
                    {
                        "identifier": "a",
                        "name": "a",
                        "dataType": {"type": "int", "specs": {"min": "x"}},
                    }
                ]
            },
            "properties[0].dataType.specs.min",
            "must be a number",
        ),
        (
            {
                "properties": [
                    {
                        "identifier": "a",
                        "name": "a",
                        "dataType": {"type": "float", "specs": {"min": 5, "max": 1}},
                    }
                ]
            },
            "properties[0].dataType.specs.min",
            "greater than max",
        ),
        (
            {
                "properties": [
                    {
                        "identifier": "a",
                        "name": "a",
                        "accessMode": "w",
                        "dataType": {"type": "bool", "specs": {"0": "n", "1": "y"}},
                    }
                ]
            },
            "properties[0].accessMode",
            "must be 'r' or 'rw'",
        ),
        (
            {
                "properties": [
                    {"identifier": "a", "name": "a", "dataType": {"type": "enum", "specs": {}}}
                ]
            },
            "properties[0].dataType.specs",
            "must map each value",
        ),
        (
            {
                "properties": [
                    {"identifier": "a", "name": "a", "dataType": {"type": "int"}},
                    {"identifier": "a", "name": "b", "dataType": {"type": "int"}},
                ]
            },
            "properties[1].identifier",
            "duplicate identifier",
        ),
        (
            {"events": [{"identifier": "e", "type": "fatal"}]},
            "events[0].type",
            "must be one of info, alert, error",
        ),
        (
            {
                "properties": [
                    {
                        "identifier": "s",
                        "name": "s",
                        "dataType": {
                            "type": "struct",
                            "specs": [
                                {
                                    "identifier": "x",
                                    "name": "x",
                                    "dataType": {"type": "struct", "specs": []},
                                }
                            ],
                        },
                    }
                ]
            },
            "properties[0].dataType.specs[0].dataType",
            "may not be nested",
        ),
        (
            {
                "properties": [
                    {
                        "identifier": "a",
                        "name": "a",
                        "dataType": {
                            "type": "array",
                            "specs": {"size": 2000, "item": {"type": "int"}},
                        },
                    }
                ]
            },
            "properties[0].dataType.specs.size",
            "between 1 and 512",
        ),
        ({"colour": "red"}, "colour", "unknown key"),
    ],
)
def test_precise_errors(patch, path, fragment):
    with pytest.raises(ThingModelError) as info:
        validate_thing_model({"properties": [], **patch})
    assert any(p == path and fragment in m for p, m in info.value.errors), info.value.errors


def test_every_problem_is_reported_at_once():
    data = {
        "properties": [
            {"identifier": "1", "name": "", "dataType": {"type": "x"}},
            {"identifier": "ok", "name": "ok", "accessMode": "x", "dataType": {"type": "int"}},
        ]
    }
    with pytest.raises(ThingModelError) as info:
        validate_thing_model(data)
    assert len(info.value.errors) >= 2


def test_json_syntax_error_names_line_and_column():
    with pytest.raises(ThingModelError) as info:
        thing_model_parse('{\n  "properties": [\n    {"identifier": "a",,}\n  ]\n}')
    assert info.value.errors[0][0] == "line 3, column 24"
    thing_model_parse(json.dumps(THING_MODEL))


def test_check_value_reasons():
    model = validate_thing_model(THING_MODEL)
    props = {p["identifier"]: p["dataType"] for p in model["properties"]}
    assert check_value(props["level"], 12, "p") == 12
    with pytest.raises(ValueRejected, match="above the maximum 100"):
        check_value(props["level"], 101, "params.level")
    with pytest.raises(ValueRejected, match="expected a number"):
        check_value(props["level"], True, "params.level")
    assert check_value(props["pump"], True, "p") == 1
    with pytest.raises(ValueRejected, match="is not one of 0, 1"):
        check_value(props["mode"], 3, "params.mode")
    with pytest.raises(ValueRejected, match="longer than 64"):
        check_value(props["note"], "x" * 65, "params.note")
    assert check_value(props["pos"], {"lon": 91.1, "lat": 29.6}, "p") == {"lon": 91.1, "lat": 29.6}
    with pytest.raises(ValueRejected, match=r"params.pos.alt: not a field"):
        check_value(props["pos"], {"alt": 1}, "params.pos")


def test_compiled_checkers_agree_with_check_value():
    """The ingest fast path must accept, store and reject exactly what check_value does."""
    model = validate_thing_model(THING_MODEL)
    compiled = compile_thing_model(model)
    int_model = compile_thing_model(
        validate_thing_model(
            {"properties": [{"identifier": "n", "name": "n", "dataType": {"type": "int"}}]}
        )
    )
    cases = [
        (
            compiled,
            "level",
            [12, 12.5, 0, 100, 100.0001, -0.5, True, "3", None, math.nan, math.inf],
        ),
        (int_model, "n", [3, 3.0, 3.5, -7, 10**20, False, math.inf, -math.inf]),
        (compiled, "mode", [0, 1, 3, "1"]),
        (compiled, "note", ["巡检", 5]),
    ]
    for model_, key, values in cases:
        data_type = model_.properties[key]["dataType"]
        for raw in values:
            try:
                expected = to_stored(data_type, check_value(data_type, raw, f"params.{key}"))
            except ValueRejected as exc:
                with pytest.raises(ValueRejected) as info:
                    model_.checkers[key](raw)
                assert str(info.value) == str(exc), raw
            else:
                assert model_.checkers[key](raw) == expected, raw
