"""The one access rule of the platform: who may read, write and approve what, by unit.

Every model that users read or change declares an :class:`AccessRule` as its ``access`` class
attribute: which roles read, write or approve every object (or only objects matching a condition),
how an object reaches the units whose editors read or write it, or that it follows a parent
object's rule. One function applies a rule to a queryset (:func:`restrict`, also
``Model.objects.restrict(user, action)`` through :class:`AccessQuerySet`) and one to an object
(:func:`can` / :func:`require`); selectors, pages, API operations, exports, history views, file
downloads and form choice lists all go through them. The table of rights is ``docs/security.md``.

Design (in the spirit of NetBox's ``RestrictedQuerySet.restrict(user, action)``, but with roles and
units instead of per-user object permissions):

* a superuser is a plan-office administrator;
* a user who is not logged in, or whose account is inactive, gets nothing;
* a unit editor without a unit gets nothing that is reached through a unit;
* an object a user may not read answers 404 (never 403), so ids reveal nothing; an object the user
  may read but not change answers 403.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from xizang5g.core.choices import Role

VIEW = "view"
CHANGE = "change"
APPROVE = "approve"
ACTIONS = (VIEW, CHANGE, APPROVE)

EVERY = Q()
"""The condition that every object meets."""

PLAN_OFFICE = frozenset({Role.PLAN_ADMIN})
REGION_READERS = frozenset({Role.PLAN_ADMIN, Role.VIEWER, Role.REGULATOR, Role.SECURITY_OPERATOR})
"""Roles that read the whole region: the plan office, leaders and auditors (viewers), and the two
platform roles, which are regional officials too. They change only what their own rules allow."""
EVERYONE = frozenset(Role.values)

RoleGrant = Iterable[str] | Mapping[str, Q]


def _grant(value: RoleGrant) -> dict[str, Q]:
    """Roles → the condition an object must meet (``EVERY`` for a plain set of roles)."""
    if isinstance(value, Mapping):
        return dict(value)
    return dict.fromkeys(value, EVERY)


@dataclass(frozen=True)
class AccessRule:
    """Who may do what with the objects of one model.

    read, write, approve
        Roles allowed that action on every object, or a mapping of role → condition (a ``Q``) that
        limits the objects. The plan office is always added to all three.
    units
        Lookups from the model to the unit(s) whose editors read and write the object
        (e.g. ``("operator",)`` or ``("lead_unit",)``).
    read_units
        Further lookups to units whose editors only read the object (e.g. a project's
        participating units).
    shared
        A condition under which every logged-in user reads the object (catalogue rows such as
        platform-wide products), whatever the unit.
    owners
        Lookups to the user(s) who read and change the object whatever their role (the person
        who started an import job, say).
    via
        Name of a foreign key whose target's rule this model follows entirely (a milestone follows
        its project). ``units``, ``read`` and friends must then be left empty.
    """

    read: RoleGrant = ()
    write: RoleGrant = ()
    approve: RoleGrant = ()
    units: tuple[str, ...] = ()
    read_units: tuple[str, ...] = ()
    shared: Q | None = None
    owners: tuple[str, ...] = ()
    via: str | None = None
    _grants: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.via and (self.read or self.write or self.approve or self.units or self.read_units):
            raise ImproperlyConfigured("An access rule with `via` takes nothing else.")
        grants = {}
        for action, value in ((VIEW, self.read), (CHANGE, self.write), (APPROVE, self.approve)):
            roles = _grant(value)
            roles[Role.PLAN_ADMIN] = EVERY
            grants[action] = roles
        object.__setattr__(self, "_grants", grants)

    def role_condition(self, role: str, action: str) -> Q | None:
        return self._grants[action].get(role)

    def unit_paths(self, action: str) -> tuple[str, ...]:
        if action == VIEW:
            return self.units + self.read_units
        if action == CHANGE:
            return self.units
        return ()


# ------------------------------------------------------------------------------ rule lookup
def rule_for(model) -> AccessRule:
    rule = getattr(model, "access", None)
    if not isinstance(rule, AccessRule):
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no access rule (an `access = AccessRule(...)`)."
        )
    return rule


def _role(user) -> str | None:
    """The role the rule applies to, or None for a user who gets nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", True):
        return None
    if user.is_superuser:
        return Role.PLAN_ADMIN
    return user.role


def _follows(model, name: str):
    try:
        fk = model._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise ImproperlyConfigured(f"{model._meta.label}.access: no field {name!r}") from exc
    return fk.related_model


def _multi_valued(model, path: str) -> bool:
    """Whether a lookup crosses a many-valued relation (a join that can repeat rows)."""
    current = model
    for part in path.split("__"):
        relation = current._meta.get_field(part)
        if relation.many_to_many or relation.one_to_many:
            return True
        current = relation.related_model
    return False


def _prefixed(q: Q, prefix: str) -> Q:
    """The condition `q` rewritten for lookups that start at a related model."""
    if not prefix:
        return q
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            out.children.append((f"{prefix}{key}", value))
    return out


def condition(model, user, action: str = VIEW) -> Q | None:
    """The condition an object of `model` must meet for `user` to do `action`; None: nothing."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    rule = rule_for(model)
    if rule.via:
        parent = _follows(model, rule.via)
        inner = condition(parent, user, action)
        return None if inner is None else _prefixed(inner, f"{rule.via}__")
    role = _role(user)
    if role is None:
        return None
    grant = rule.role_condition(role, action)
    if grant is not None and not grant:  # EVERY
        return EVERY
    parts: list[Q] = [] if grant is None else [grant]
    if role == Role.UNIT_EDITOR and user.unit_id is not None:
        for path in rule.unit_paths(action):
            if _multi_valued(model, path):
                ids = model._base_manager.filter(**{path: user.unit_id}).values("pk")
                parts.append(Q(pk__in=ids))
            else:
                parts.append(Q(**{path: user.unit_id}))
    if action == VIEW and rule.shared is not None:
        parts.append(rule.shared)
    if action != APPROVE:
        parts.extend(Q(**{path: user.pk}) for path in rule.owners)
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


# ------------------------------------------------------------------------------ applying it
def restrict(queryset: models.QuerySet, user, action: str = VIEW) -> models.QuerySet:
    """Only the objects of `queryset` that `user` may `action`."""
    q = condition(queryset.model, user, action)
    if q is None:
        return queryset.none()
    return queryset if not q else queryset.filter(q)


class AccessQuerySet(models.QuerySet):
    """``Model.objects.restrict(user, action)``: the queryset every read starts from."""

    def restrict(self, user, action: str = VIEW):
        return restrict(self, user, action)


AccessManager = models.Manager.from_queryset(AccessQuerySet)


def can(user, action: str, obj) -> bool:
    """Whether `user` may `action` the saved object `obj`."""
    if obj is None or obj.pk is None:
        raise ValueError("can() checks saved objects; use can_create() for new ones")
    model = type(obj)
    q = condition(model, user, action)
    if q is None:
        return False
    if not q:
        return True
    return model._base_manager.filter(q, pk=obj.pk).exists()


def require(user, action: str, obj) -> None:
    """Raise Http404 if `user` may not even read `obj`, PermissionDenied if not `action` it."""
    if not can(user, VIEW, obj):
        raise Http404(_("No such object, or you may not see it."))
    if action != VIEW and not can(user, action, obj):
        raise PermissionDenied(_("You may not change this."))


def get_or_404(queryset: models.QuerySet, user, action: str = VIEW, **lookup):
    """One object of `queryset` by `lookup` that `user` may read: 404 if missing or invisible,
    403 if visible but not allowed `action`."""
    obj = restrict(queryset, user, VIEW).filter(**lookup).first()
    if obj is None:
        raise Http404(_("No such object, or you may not see it."))
    if action != VIEW and not can(user, action, obj):
        raise PermissionDenied(_("You may not change this."))
    return obj


def can_create(user, model, **attrs) -> bool:
    """Whether `user` may create an object of `model` with the given relations and fields.

    `attrs` name the fields the rule looks at, as instances or ids (``operator=unit`` or
    ``operator_id=3``): the start of each unit lookup and the fields of any role condition. A rule
    that follows a parent (`via`) asks whether the user may change that parent.
    """
    return _can_values(user, CHANGE, model, attrs)


def can_view_deleted(user, model, snapshot: dict) -> bool:
    """Whether `user` could read an object that no longer exists, judged from its last field
    values (a change-log snapshot: foreign keys by attname). Relations that are gone, and
    many-to-many memberships (not in snapshots), grant nothing."""
    return _can_values(user, VIEW, model, snapshot)


def _can_values(user, action: str, model, attrs: dict) -> bool:
    rule = rule_for(model)
    if rule.via:
        parent = _value_of(model, attrs, rule.via, instance=True)
        if parent is None:
            return sees_all(user, _follows(model, rule.via), action)
        return can(user, CHANGE if action == CHANGE else action, parent)
    role = _role(user)
    if role is None:
        return False
    grant = rule.role_condition(role, action)
    if grant is not None and (not grant or _matches(model, grant, attrs)):
        return True
    if action == VIEW and rule.shared is not None and _matches(model, rule.shared, attrs):
        return True
    if action != APPROVE and any(_value_of(model, attrs, p) == user.pk for p in rule.owners):
        return True
    if role != Role.UNIT_EDITOR or user.unit_id is None:
        return False
    paths = [p for p in rule.unit_paths(action) if not _multi_valued(model, p)]
    return any(_value_of(model, attrs, path) == user.unit_id for path in paths)


def _value_of(model, attrs: dict, path: str, *, instance: bool = False):
    """Follow `path` from field values in `attrs`: an id at the end (or the object itself with
    `instance`), None where a relation is empty or gone."""
    first, _sep, rest = path.partition("__")
    field = model._meta.get_field(first)
    if not field.is_relation:
        return attrs.get(first)
    value = attrs.get(first, attrs.get(field.attname))
    if not rest and not instance:
        return getattr(value, "pk", value)
    if value is not None and not isinstance(value, models.Model):
        value = field.related_model._base_manager.filter(pk=value).first()
    for part in rest.split("__") if rest else ():
        value = getattr(value, part, None) if value is not None else None
    return getattr(value, "pk", value) if not instance else value


def _matches(model, q: Q, attrs: dict) -> bool:
    """Evaluate a rule's condition on the field values of an unsaved or deleted object.

    Conditions stay simple on purpose: ``field=value``, ``field__in=[…]`` and
    ``field__isnull=bool`` along foreign keys."""
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(_matches(model, child, attrs))
            continue
        key, expected = child
        path, _sep, lookup = key.rpartition("__")
        if lookup not in ("in", "isnull", "exact"):
            path, lookup = key, "exact"
        value = _value_of(model, attrs, path)
        if lookup == "in":
            results.append(value in expected)
        elif lookup == "isnull":
            results.append((value is None) == bool(expected))
        else:
            results.append(value == getattr(expected, "pk", expected))
    outcome = all(results) if q.connector == Q.AND else any(results)
    return not outcome if q.negated else outcome


def require_create(user, model, **attrs) -> None:
    if not can_create(user, model, **attrs):
        raise PermissionDenied(_("You may not create this here."))


def role_may(user, action: str, model) -> bool:
    """Whether `user` may `action` at least some objects of `model` (menus, buttons, 403 pages)."""
    return condition(model, user, action) is not None


def sees_all(user, model, action: str = VIEW) -> bool:
    """Whether `user` may `action` every object of `model` (region-wide pages and titles)."""
    q = condition(model, user, action)
    return q is not None and not q


def scope_key(user) -> tuple:
    """What the rule reads of a user, apart from the objects a user owns (``owners``): users with
    the same key may do the same things to the same objects, so what is computed for one of them
    from rule-restricted reads can be shared with the others (:func:`core.summaries.section`)."""
    role = _role(user)
    return (role, user.unit_id) if role else (None, None)
