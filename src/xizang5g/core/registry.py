"""The registration points of the platform: what each app adds, declared in its own folder.

An app's AppConfig derives from :class:`PlatformApp` (written ``registry.PlatformApp`` in its
apps.py, so that Django still finds one AppConfig there) and fills in what it brings; core collects it
here. Adding an app is its folder plus one line in INSTALLED_APPS — nothing else is edited:

* ``nav``               top navigation entries ({"label", "url" (a URL name), "icon", "order"})
* ``urls``              module of its pages, mounted at ``/<url_prefix>/`` (default: the label)
* ``api``               module holding a django-ninja ``router``, mounted at ``/api/v1/<url_prefix>/``
* ``root_urls``         further (URL prefix, urls module) pairs, for an endpoint a standard places
                        at a path of its own (FHIR R4 at ``/fhir/r4/``, an xAPI LRS at ``/xapi/``, the Handle REST API at
                        ``/api/handles/``)
* ``periodic_jobs``     :class:`PeriodicJob` entries that ``xizang5g scheduler`` enqueues
* ``alert_sources``     (value, label) pairs of the alert centre's ``source`` it raises
* ``dashboard_tiles``   dotted paths of ``tile(request) -> Tile | None`` for the home page
* ``evidence_providers`` dotted paths of providers of live evidence for pilot projects
                         (``core.evidence``)
* ``iot_subscriptions`` subscriptions to telemetry (``iot.subscriptions.Subscription``)
* ``rule_actions``      actions an IoT rule may call (``iot.subscriptions.RuleAction``)
* ``setup_commands``    management commands (name, *args) that install its shipped content, run by
                        ``xizang5g setup`` in production and by the demo (idempotent)
* ``demo_commands``     management commands (name, *args) that load its demo data (``demo_setup``)
* ``demo_processes``    ``xizang5g`` sub-commands (name, *args) the demo runs beside the web server
                        (workers, simulators: ``demo_serve``)
* ``demo_users``        :class:`DemoUser` accounts the demo creates and prints
* ``public_nav``        entries of the public site's navigation (same shape as ``nav``), shown to
                        everyone without logging in by the portal
* ``public_sections``   dotted paths of ``section(request) -> PublicSection | None`` that the public
                        portal's home shows (a vertical's public figures: scenic-spot comfort …)
* ``layer``             where the app sits (``LAYERS``): ``xizang5g lint_layers`` checks with
                        import-linter that no app imports one above it or a sibling of its layer

Dotted paths are resolved when first used, so an app's modules are imported after the app
registry is ready and in any order.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.apps import AppConfig, apps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str  # dotted path of a django-tasks task
    every: timedelta


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    unit: str | None  # unit code (created by the app's demo command when it is its own)
    full_name: str
    what: str  # what the login shows, printed with the demo's logins


# From the top down. Apps of one layer are independent of each other; an app imports only from
# the layers below its own. `radio` (the pure engine) stands apart and imports nothing of the
# project.
# "public": the portal and the application ecosystem, which read plan supervision and the systems;
# "top": plan supervision, which reads every vertical and system through their providers.
LAYERS = ("public", "top", "vertical", "system", "core")


class PlatformApp(AppConfig):
    """Base of every app of the platform; see the module docstring for what it declares."""

    layer: str = "vertical"

    nav: tuple[dict, ...] = ()
    urls: str | None = None
    api: str | None = None
    url_prefix: str | None = None
    root_urls: tuple[tuple[str, str], ...] = ()
    periodic_jobs: tuple[PeriodicJob, ...] = ()
    alert_sources: tuple[tuple[str, object], ...] = ()
    dashboard_tiles: tuple[str, ...] = ()
    evidence_providers: tuple[str, ...] = ()
    iot_subscriptions: tuple = ()
    rule_actions: tuple = ()
    setup_commands: tuple[tuple[str, ...], ...] = ()
    demo_commands: tuple[tuple[str, ...], ...] = ()
    demo_processes: tuple[tuple[str, ...], ...] = ()
    demo_users: tuple[DemoUser, ...] = ()
    public_nav: tuple[dict, ...] = ()
    public_sections: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return self.url_prefix or self.label


def platform_apps() -> Iterator[PlatformApp]:
    """The installed platform apps, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if isinstance(config, PlatformApp):
            yield config


@cache
def resolve(path: str):
    """The object a dotted path names (`package.module.name`)."""
    module, _sep, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def navigation() -> list[dict]:
    return sorted(
        (entry for app in platform_apps() for entry in app.nav),
        key=lambda entry: entry.get("order", 100),
    )


def page_urls() -> list[tuple[str, str]]:
    """(URL prefix, urls module) of every app with pages."""
    return [(app.prefix, app.urls) for app in platform_apps() if app.urls]


def public_navigation() -> list[dict]:
    return sorted(
        (entry for app in platform_apps() for entry in app.public_nav),
        key=lambda entry: entry.get("order", 100),
    )


def public_sections() -> list[Callable]:
    return [resolve(path) for app in platform_apps() for path in app.public_sections]


def root_urls() -> list[tuple[str, str]]:
    """(path from the site root, urls module) of the endpoints apps mount at a fixed path."""
    return [pair for app in platform_apps() for pair in app.root_urls]


def api_routers() -> list[tuple[str, object]]:
    """(URL prefix, django-ninja router) of every app with an API."""
    return [(app.prefix, resolve(f"{app.api}.router")) for app in platform_apps() if app.api]


def periodic_jobs() -> list[PeriodicJob]:
    return [job for app in platform_apps() for job in app.periodic_jobs]


def alert_sources() -> list[tuple[str, object]]:
    """Every (value, label) of the alert centre's sources (a model field's callable choices)."""
    return [source for app in platform_apps() for source in app.alert_sources]


def dashboard_tiles() -> list[Callable]:
    return [resolve(path) for app in platform_apps() for path in app.dashboard_tiles]


def evidence_providers() -> list[Callable]:
    return [resolve(path) for app in platform_apps() for path in app.evidence_providers]


def iot_subscriptions() -> list:
    return [item for app in platform_apps() for item in app.iot_subscriptions]


def rule_actions() -> dict[str, object]:
    return {action.name: action for app in platform_apps() for action in app.rule_actions}


def setup_commands() -> list[tuple[str, ...]]:
    return [command for app in platform_apps() for command in app.setup_commands]


def demo_commands() -> list[tuple[str, ...]]:
    return [command for app in platform_apps() for command in app.demo_commands]


def demo_processes() -> list[tuple[str, ...]]:
    return [command for app in platform_apps() for command in app.demo_processes]


def demo_users() -> list[DemoUser]:
    return [user for app in platform_apps() for user in app.demo_users]


@dataclass(frozen=True)
class Tile:
    """One system's figure on the home dashboard, for the user asking."""

    title: object
    value: str
    detail: object
    url: str
    icon: str = "grid"
    tone: str = "neutral"  # neutral, ok, warn, bad


@dataclass(frozen=True)
class PublicSection:
    """A block an app adds to the public portal's home: rendered from its own template."""

    title: object
    template: str
    context: dict
    order: int = 100


def public_sections_for(request) -> list[PublicSection]:
    """The sections the apps offer the public (one that fails is left out and logged)."""
    out = []
    for section in public_sections():
        try:
            found = section(request)
        except Exception:
            logger.exception("public section %s failed", section)
            continue
        if found is not None:
            out.append(found)
    return sorted(out, key=lambda found: found.order)


def tiles_for(request) -> list[Tile]:
    """The tiles the apps offer this user (a tile that fails is left out and logged)."""
    out = []
    for tile in dashboard_tiles():
        try:
            found = tile(request)
        except Exception:
            logger.exception("dashboard tile %s failed", tile)
            continue
        if found is not None:
            out.append(found)
    return out
