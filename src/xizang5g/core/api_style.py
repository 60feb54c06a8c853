"""The one style of the /api/v1 API, shared by every app's router.

* Lists take ``limit`` (1 to MAX_LIMIT, default DEFAULT_LIMIT) and ``offset`` (from 0) and answer
  the envelope ``{"count", "limit", "offset", "items"}`` (``page_schema``, ``paginate``).
* Every refusal answers one body, ``{"detail": str, "errors": [{"field", "message"}]}``
  (``ApiError``); ``responses`` documents it for every error status an operation can answer.
* Operations are functions named ``<entity>_<verb>``; their OpenAPI operationId is
  ``<app>_<entity>_<verb>`` (see ``xizang5g.api``). Schemas carry the app's name as a prefix
  (``PlanProjectOut``, ``IotRuleIn``) so that no two apps share a component name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import BaseModel, create_model, model_validator
from pydantic_core import PydanticCustomError

from xizang5g.core import limits

MAX_LIMIT = 500
DEFAULT_LIMIT = 50

# Every operation may answer these: 400 (unreadable request), 401 (no or bad credentials),
# 403 (not allowed, or a session whose password expired), 404 (missing or hidden object, unknown
# reference), 413 (body too large), 422 (invalid value), 503 (database unavailable).
ERROR_STATUSES = (400, 401, 403, 404, 413, 422, 503)


class ApiErrorItem(Schema):
    field: str | None = Field(
        None, description="the field (dotted path) the message is about; null: the whole request"
    )
    message: str


class ApiError(Schema):
    """The body of every refusal (4xx) and server error (5xx)."""

    detail: str = Field(description="what is wrong, for people")
    errors: list[ApiErrorItem] = Field(
        default_factory=list, description="each problem with the field it is about"
    )


class ApiInput(Schema):
    """A request body: a JSON object. (ninja's Schema reads the attributes of any object, so a
    list such as `[null, []]` would pass as a body whose fields all have defaults.)"""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler, info):
        if not isinstance(values, dict | BaseModel):
            raise PydanticCustomError("model_type", "Input should be a JSON object")
        return handler(values)


class ApiPagination(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"items per answer, 1 to {MAX_LIMIT}"
    )
    offset: int = Field(0, ge=0, le=limits.INT64_MAX, description="items to skip")


class Page(Schema):
    count: int = Field(description="all items that match, over every page")
    limit: int
    offset: int


def page_schema(name: str, item: type) -> type[Page]:
    """The list envelope of `item`, as the component `name` (e.g. PlanProjectPage)."""
    return create_model(name, __base__=Page, __module__=item.__module__, items=(list[item], ...))


def paginate(
    rows: QuerySet | Sequence, page: ApiPagination, out: Callable[[Any], Any] | None = None
) -> dict:
    """One page of `rows` in the list envelope, each item passed through `out` if given."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    chunk = rows[page.offset : page.offset + page.limit] if page.offset < count else []
    return {
        "count": count,
        "limit": page.limit,
        "offset": page.offset,
        "items": [out(row) for row in chunk] if out else list(chunk),
    }


def responses(ok: dict[int, Any], *, extra: dict[int, Any] | None = None) -> dict[int, Any]:
    """The responses an operation documents: its successes (`ok`), the error body for every
    error status, and `extra` where an error status answers something else."""
    return {**ok, **dict.fromkeys(ERROR_STATUSES, ApiError), **(extra or {})}


def error_body(detail: str, errors: Iterable[tuple[str | None, str]] = ()) -> dict:
    return {"detail": str(detail), "errors": [{"field": f, "message": str(m)} for f, m in errors]}


def validation_errors(exc: ValidationError) -> list[tuple[str | None, str]]:
    """(field, message) pairs of a Django ValidationError; non-field errors have no field."""
    if hasattr(exc, "error_dict"):
        return [
            (None if field == NON_FIELD_ERRORS else field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in exc.messages]


def summary(errors: Sequence[tuple[str | None, str]], fallback: str) -> str:
    """A one-line `detail` naming the first problems."""
    if not errors:
        return fallback
    parts = [f"{field}: {message}" if field else message for field, message in errors[:3]]
    more = f" (+{len(errors) - 3})" if len(errors) > 3 else ""
    return "; ".join(parts) + more
