"""Thing models (物模型) in the Alibaba IoT TSL shape: validation on import, and value checking.

A thing model is JSON with `properties`, `events` and `services`. Each property has an
`identifier`, a `name`, an `accessMode` (`r` or `rw`) and a `dataType` {`type`, `specs`}; spec
numbers may be written as strings, as Alibaba exports them. `validate_thing_model` returns the
normalised model or raises `ThingModelError` with every problem and its JSON path.
`compile_thing_model` turns a valid model into fast per-identifier checkers used by ingest.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from xizang5g.iot.choices import DataType, EventType
from xizang5g.iot.constants import IDENTIFIER_PATTERN, MAX_ARRAY_SIZE, MAX_TEXT_LENGTH

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
NUMERIC_TYPES = {DataType.INT, DataType.FLOAT, DataType.DOUBLE}
# Identifiers that Alibaba reserves for the platform's own events and services.
RESERVED_EVENTS = {"property"}


class ThingModelError(ValueError):
    """A thing model that does not validate; `errors` lists (path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))


# --- validation of the model itself ---------------------------------------------------------
def _number(value: Any, path: str, errors: list, *, integer: bool = False) -> float | None:
    if isinstance(value, bool):
        errors.append((path, f"must be a number, not {value!r}"))
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            errors.append((path, f"must be a number, not {value!r}"))
            return None
    else:
        errors.append((path, f"must be a number, not {type(value).__name__}"))
        return None
    if not math.isfinite(number):
        errors.append((path, "must be finite"))
        return None
    if integer and not number.is_integer():
        errors.append((path, f"must be a whole number, not {value!r}"))
        return None
    return int(number) if integer else number


def _data_type(spec: Any, path: str, errors: list, *, depth: int = 0) -> dict | None:
    if not isinstance(spec, dict):
        errors.append((path, "must be an object with 'type' and 'specs'"))
        return None
    kind = spec.get("type")
    if kind not in DataType.values:
        errors.append(
            (
                f"{path}.type",
                f"unknown data type {kind!r}; expected one of {', '.join(DataType.values)}",
            )
        )
        return None
    specs = spec.get("specs", {} if kind != DataType.STRUCT else [])
    out: dict[str, Any] = {"type": kind}
    spath = f"{path}.specs"
    if kind in NUMERIC_TYPES:
        if not isinstance(specs, dict):
            errors.append((spath, "must be an object"))
            return None
        clean: dict[str, Any] = {}
        for key in ("min", "max", "step"):
            if specs.get(key) not in (None, ""):
                clean[key] = _number(
                    specs[key], f"{spath}.{key}", errors, integer=kind == DataType.INT
                )
        if (
            clean.get("min") is not None
            and clean.get("max") is not None
            and clean["min"] > clean["max"]
        ):
            errors.append(
                (f"{spath}.min", f"min {clean['min']} is greater than max {clean['max']}")
            )
        if clean.get("step") is not None and clean["step"] <= 0:
            errors.append((f"{spath}.step", "must be greater than 0"))
        for key in ("unit", "unitName"):
            if specs.get(key):
                clean[key] = str(specs[key])
        out["specs"] = clean
    elif kind in (DataType.BOOL, DataType.ENUM):
        if not isinstance(specs, dict) or not specs:
            errors.append((spath, 'must map each value to its name, e.g. {"0": "off", "1": "on"}'))
            return None
        clean = {}
        for key, label in specs.items():
            number = _number(key, f"{spath}.{key}", errors, integer=True)
            if number is None:
                continue
            if kind == DataType.BOOL and number not in (0, 1):
                errors.append((f"{spath}.{key}", "a bool has only the values 0 and 1"))
            clean[str(number)] = str(label)
        out["specs"] = clean
    elif kind == DataType.TEXT:
        length = specs.get("length", MAX_TEXT_LENGTH) if isinstance(specs, dict) else None
        number = _number(length, f"{spath}.length", errors, integer=True)
        if number is not None and not 1 <= number <= MAX_TEXT_LENGTH:
            errors.append((f"{spath}.length", f"must be between 1 and {MAX_TEXT_LENGTH}"))
        out["specs"] = {"length": number}
    elif kind == DataType.DATE:
        out["specs"] = {}
    elif kind == DataType.STRUCT:
        if depth > 0:
            errors.append((path, "a struct may not be nested in a struct or array"))
            return None
        if not isinstance(specs, list) or not specs:
            errors.append((spath, "must be a non-empty list of fields"))
            return None
        out["specs"] = _members(specs, spath, errors, depth=depth + 1)
    elif kind == DataType.ARRAY:
        if not isinstance(specs, dict):
            errors.append((spath, "must be an object with 'size' and 'item'"))
            return None
        size = _number(specs.get("size", MAX_ARRAY_SIZE), f"{spath}.size", errors, integer=True)
        if size is not None and not 1 <= size <= MAX_ARRAY_SIZE:
            errors.append((f"{spath}.size", f"must be between 1 and {MAX_ARRAY_SIZE}"))
        item = specs.get("item")
        if isinstance(item, dict) and item.get("type") == DataType.ARRAY:
            errors.append((f"{spath}.item.type", "arrays of arrays are not supported"))
            return None
        clean_item = _data_type(item, f"{spath}.item", errors, depth=depth + 1)
        out["specs"] = {"size": size, "item": clean_item}
    return out


def _entries(items: Any, path: str, errors: list, *, skip=None, reserved=frozenset()):
    """Yield (path, item, identifier) for each object of a list with a valid, new identifier;
    record an error for every other entry. `skip(item)` drops implied Alibaba entries silently."""
    if not isinstance(items, list):
        errors.append((path, "must be a list"))
        return
    seen: set[str] = set()
    for index, item in enumerate(items):
        ipath = f"{path}[{index}]"
        if not isinstance(item, dict):
            errors.append((ipath, "must be an object"))
            continue
        if skip is not None and skip(item):
            continue
        identifier = item.get("identifier")
        if not isinstance(identifier, str) or not _IDENTIFIER.match(identifier):
            errors.append(
                (
                    f"{ipath}.identifier",
                    f"{identifier!r} is not a valid identifier "
                    "(1-50 letters, digits or _, not starting with a digit)",
                )
            )
        elif identifier in seen:
            errors.append((f"{ipath}.identifier", f"duplicate identifier {identifier!r}"))
        elif identifier in reserved:
            errors.append((f"{ipath}.identifier", f"identifier {identifier!r} is reserved"))
        else:
            seen.add(identifier)
            yield ipath, item, identifier


def _members(items: Any, path: str, errors: list, *, depth: int = 0) -> list[dict]:
    """Struct fields, event output data and service input/output data: identifier, name, dataType."""
    return [
        {
            "identifier": identifier,
            "name": str(item.get("name") or identifier),
            "dataType": _data_type(item.get("dataType"), f"{ipath}.dataType", errors, depth=depth),
        }
        for ipath, item, identifier in _entries(items, path, errors)
    ]


def _implied_post(event: dict) -> bool:
    # Alibaba exports the property post as an event; it is implied here.
    return event.get("identifier") == "post" and event.get("method") == "thing.event.property.post"


def _implied_set_get(service: dict) -> bool:
    # Alibaba's implied property set/get services.
    return service.get("identifier") in ("set", "get") and str(
        service.get("method", "")
    ).startswith("thing.service.property.")


def validate_thing_model(data: Any) -> dict:
    """Check a thing model and return it normalised; raise ThingModelError listing every problem."""
    errors: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise ThingModelError([("$", "a thing model must be a JSON object")])
    unknown = set(data) - {"schema", "profile", "capabilities", "properties", "events", "services"}
    for key in sorted(unknown):
        errors.append(
            (
                key,
                "unknown key (expected schema, profile, capabilities, properties, events, services)",
            )
        )
    out: dict[str, Any] = {"properties": [], "events": [], "services": []}
    if isinstance(data.get("profile"), dict):
        out["profile"] = {k: str(v) for k, v in data["profile"].items()}
    capabilities = _capabilities(data.get("capabilities", []), errors)
    if capabilities:
        out["capabilities"] = capabilities

    for path, prop, identifier in _entries(data.get("properties", []), "properties", errors):
        name = prop.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append((f"{path}.name", "is required"))
        access = prop.get("accessMode", "r")
        if access not in ("r", "rw"):
            errors.append((f"{path}.accessMode", f"must be 'r' or 'rw', not {access!r}"))
        out["properties"].append(
            {
                "identifier": identifier,
                "name": name if isinstance(name, str) and name.strip() else identifier,
                "accessMode": access,
                "required": bool(prop.get("required", False)),
                "desc": str(prop.get("desc", "")),
                "dataType": _data_type(prop.get("dataType"), f"{path}.dataType", errors),
            }
        )

    events = _entries(
        data.get("events", []), "events", errors, skip=_implied_post, reserved=RESERVED_EVENTS
    )
    for path, event, identifier in events:
        kind = event.get("type", EventType.INFO)
        if kind not in EventType.values:
            errors.append((f"{path}.type", f"must be one of info, alert, error, not {kind!r}"))
        out["events"].append(
            {
                "identifier": identifier,
                "name": str(event.get("name") or identifier),
                "type": kind,
                "desc": str(event.get("desc", "")),
                "outputData": _members(event.get("outputData", []), f"{path}.outputData", errors),
            }
        )

    for path, service, identifier in _entries(
        data.get("services", []), "services", errors, skip=_implied_set_get
    ):
        call_type = service.get("callType", "async")
        if call_type not in ("sync", "async"):
            errors.append((f"{path}.callType", f"must be 'sync' or 'async', not {call_type!r}"))
        out["services"].append(
            {
                "identifier": identifier,
                "name": str(service.get("name") or identifier),
                "callType": call_type,
                "desc": str(service.get("desc", "")),
                "inputData": _members(service.get("inputData", []), f"{path}.inputData", errors),
                "outputData": _members(service.get("outputData", []), f"{path}.outputData", errors),
            }
        )
    if errors:
        raise ThingModelError(errors)
    return out


CAPABILITY = re.compile(r"[a-z][a-z0-9_]{0,49}")


def _capabilities(value: Any, errors: list) -> list[str]:
    """What a product can do, as lower-case slugs (e.g. ``gate_counter``): apps subscribe to the
    telemetry of every product with a capability (iot.subscriptions)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(("capabilities", 'must be a list of names such as "gate_counter"'))
        return []
    bad = [v for v in value if not CAPABILITY.fullmatch(v)]
    for name in bad:
        errors.append(("capabilities", f"{name!r} is not a name of lower-case letters, digits, _"))
    return sorted(set(value) - set(bad))


# --- checking values against a (valid) model --------------------------------------------------
class ValueRejected(ValueError):
    pass


class Stored(NamedTuple):
    """A checked value in storage form: float for numbers/bools/enums/dates, else text or JSON."""

    value: float | None = None
    text: str = ""
    json: Any = None


def check_value(data_type: dict, value: Any, path: str) -> Any:
    """Return the value (normalised) or raise ValueRejected naming the path and the reason."""
    kind = data_type["type"]
    specs = data_type.get("specs") or {}
    if kind in NUMERIC_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueRejected(f"{path}: expected a number ({kind}), got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueRejected(f"{path}: {value!r} is not a finite number")
        if kind == DataType.INT and isinstance(value, float):
            if not value.is_integer():
                raise ValueRejected(f"{path}: expected an integer, got {value!r}")
            value = int(value)
        low, high = specs.get("min"), specs.get("max")
        if low is not None and value < low:
            raise ValueRejected(f"{path}: {value} is below the minimum {low}")
        if high is not None and value > high:
            raise ValueRejected(f"{path}: {value} is above the maximum {high}")
        return value
    if kind == DataType.BOOL:
        if value in (True, False) and (isinstance(value, bool) or value in (0, 1)):
            return int(value)
        raise ValueRejected(f"{path}: expected a bool (true/false or 0/1), got {value!r}")
    if kind == DataType.ENUM:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueRejected(f"{path}: expected one of {', '.join(specs)}, got {value!r}")
        if str(value) not in specs:
            raise ValueRejected(f"{path}: {value!r} is not one of {', '.join(specs)}")
        return int(value)
    if kind == DataType.TEXT:
        if not isinstance(value, str):
            raise ValueRejected(f"{path}: expected text, got {value!r}")
        if len(value) > (specs.get("length") or MAX_TEXT_LENGTH):
            raise ValueRejected(f"{path}: text longer than {specs.get('length')} characters")
        return value
    if kind == DataType.DATE:
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueRejected(f"{path}: expected epoch milliseconds, got {value!r}")
        return value
    if kind == DataType.STRUCT:
        if not isinstance(value, dict):
            raise ValueRejected(f"{path}: expected an object, got {value!r}")
        members = {m["identifier"]: m for m in specs}
        out = {}
        for key, item in value.items():
            if key not in members:
                raise ValueRejected(f"{path}.{key}: not a field of this struct")
            out[key] = check_value(members[key]["dataType"], item, f"{path}.{key}")
        return out
    if kind == DataType.ARRAY:
        if not isinstance(value, list):
            raise ValueRejected(f"{path}: expected an array, got {value!r}")
        if len(value) > (specs.get("size") or MAX_ARRAY_SIZE):
            raise ValueRejected(f"{path}: more than {specs.get('size')} items")
        return [check_value(specs["item"], item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise ValueRejected(f"{path}: unsupported type {kind}")  # pragma: no cover


def to_stored(data_type: dict, value: Any) -> Stored:
    kind = data_type["type"]
    if kind in (*NUMERIC_TYPES, DataType.BOOL, DataType.ENUM, DataType.DATE):
        return Stored(value=float(value))
    if kind == DataType.TEXT:
        return Stored(text=value)
    return Stored(json=value)


def value_checker(identifier: str, data_type: dict) -> Callable[[Any], Stored]:
    """check_value + to_stored for one property, with a fast path for in-range numbers (the
    common case at ingest); anything else goes through check_value for its precise reason."""
    path = f"params.{identifier}"

    def check(raw: Any) -> Stored:
        return to_stored(data_type, check_value(data_type, raw, path))

    kind = data_type["type"]
    if kind not in NUMERIC_TYPES:
        return check
    specs = data_type.get("specs") or {}
    # Infinite bounds by default: NaN and ±inf then fail the comparison and take the slow path.
    low = float(specs["min"]) if specs.get("min") is not None else -math.inf
    high = float(specs["max"]) if specs.get("max") is not None else math.inf
    integer = kind == DataType.INT

    def fast(raw: Any) -> Stored:
        cls = type(raw)
        numeric = cls is int or (cls is float and not integer)
        if numeric and low <= raw <= high and -math.inf < raw < math.inf:
            return Stored(float(raw))
        return check(raw)

    return fast


@dataclass
class CompiledModel:
    """A thing model ready for ingest: property and event definitions by identifier, and a value
    checker per property."""

    properties: dict[str, dict] = field(default_factory=dict)
    events: dict[str, dict] = field(default_factory=dict)
    checkers: dict[str, Callable[[Any], Stored]] = field(default_factory=dict)

    @property
    def numeric_properties(self) -> list[str]:
        return [
            key
            for key, prop in self.properties.items()
            if prop["dataType"]["type"] in (*NUMERIC_TYPES, DataType.BOOL, DataType.ENUM)
        ]


def compile_thing_model(model: dict) -> CompiledModel:
    properties = {p["identifier"]: p for p in model.get("properties", [])}
    return CompiledModel(
        properties=properties,
        events={e["identifier"]: e for e in model.get("events", [])},
        checkers={key: value_checker(key, p["dataType"]) for key, p in properties.items()},
    )
