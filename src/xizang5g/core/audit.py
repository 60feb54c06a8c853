"""Change log recording for every ChangeLoggedModel, through model signals.

Who and which request come from a context set by the request middleware or, outside requests,
by `acting_as(user)` in services, commands and jobs.
"""

import contextvars
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from xizang5g.core.choices import ChangeAction
from xizang5g.core.models.base import ChangeLoggedModel
from xizang5g.core.models.changelog import ChangeLog

_current_user: contextvars.ContextVar = contextvars.ContextVar("xz5g_user", default=None)
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("xz5g_request_id", default="")


def current_user():
    return _current_user.get()


def current_request_id() -> str:
    return _request_id.get()


@contextmanager
def acting_as(user, *, request_id: str | None = None) -> Iterator[None]:
    """Attribute every change inside the block to `user` (None for the system)."""
    user_token = _current_user.set(user if user is None or user.is_authenticated else None)
    rid_token = _request_id.set(request_id or _request_id.get() or f"cli-{uuid.uuid4().hex[:12]}")
    try:
        yield
    finally:
        _current_user.reset(user_token)
        _request_id.reset(rid_token)


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Field values of an instance as JSON (foreign keys as ids, files as names)."""
    excluded = set(getattr(instance, "changelog_exclude", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded:
            continue
        value = field.value_from_object(instance)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        data[field.attname if field.is_relation else field.name] = value
    return _json_safe(data)


def is_change_logged(model) -> bool:
    """Change-logged: every domain model (ChangeLoggedModel), and the few Django-shaped ones that
    say so with `change_logged = True` (users, API tokens)."""
    return isinstance(model, type) and (
        issubclass(model, ChangeLoggedModel) or getattr(model, "change_logged", False)
    )


_is_logged = is_change_logged


def _write(instance, action: str, before: dict | None, after: dict | None) -> None:
    if action == ChangeAction.UPDATE and before == after:
        return  # nothing really changed: keep idempotent reloads silent
    user = current_user()
    ChangeLog.objects.create(
        user=user,
        username=getattr(user, "username", "") or "",
        request_id=current_request_id(),
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        before=before,
        after=after,
    )


def _pre_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or not _is_logged(sender):
        return
    previous = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._base_manager.filter(pk=instance.pk).first()
        previous = snapshot(old) if old is not None else None
    instance._changelog_before = previous


def _post_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not _is_logged(sender):
        return
    before = getattr(instance, "_changelog_before", None)
    action = ChangeAction.CREATE if created or before is None else ChangeAction.UPDATE
    _write(instance, action, before, snapshot(instance))


def _pre_delete(sender, instance, **kwargs) -> None:
    if _is_logged(sender):
        instance._changelog_deleted = snapshot(instance)


def _post_delete(sender, instance, **kwargs) -> None:
    if _is_logged(sender):
        _write(instance, ChangeAction.DELETE, getattr(instance, "_changelog_deleted", None), None)


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if reverse or not _is_logged(type(instance)):
        return
    field = next((f for f in instance._meta.many_to_many if f.remote_field.through is sender), None)
    if field is None:
        return
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        instance._changelog_m2m = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    elif action in {"post_add", "post_remove", "post_clear"}:
        before = getattr(instance, "_changelog_m2m", None)
        after = sorted(getattr(instance, field.name).values_list("pk", flat=True))
        _write(instance, ChangeAction.UPDATE, {field.name: before}, {field.name: after})


def connect_signals() -> None:
    """Connect the recorders to each change-logged model only, so that bulk deletes of data
    tables (telemetry, events, study results) stay fast deletes without per-row signals."""
    for model in apps.get_models():
        if not is_change_logged(model):
            continue
        uid = model._meta.label_lower
        pre_save.connect(_pre_save, sender=model, dispatch_uid=f"xz5g_log_pre_save_{uid}")
        post_save.connect(_post_save, sender=model, dispatch_uid=f"xz5g_log_post_save_{uid}")
        pre_delete.connect(_pre_delete, sender=model, dispatch_uid=f"xz5g_log_pre_delete_{uid}")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=f"xz5g_log_post_delete_{uid}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _m2m_changed,
                sender=through,
                dispatch_uid=f"xz5g_log_m2m_{through._meta.label_lower}",
            )
