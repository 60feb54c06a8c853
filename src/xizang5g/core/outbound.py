"""Outbound HTTP to addresses users configure (alert webhooks), without server-side request forgery.

A webhook target is resolved once, every address it resolves to must be public (not loopback,
link-local, private, carrier-grade NAT, multicast, reserved or unspecified), and the request is
then sent to the address that was checked — so a name that resolves differently a moment later
(DNS rebinding) cannot reach inside. Hosts an administrator lists in
``XZ5G_WEBHOOK_ALLOWED_HOSTS`` (exact names or IP networks) are exempt: an on-premises alert
gateway, say. Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _allowed_hosts() -> tuple[set[str], list]:
    names, networks = set(), []
    for item in getattr(settings, "XZ5G_WEBHOOK_ALLOWED_HOSTS", []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.add(item.lower())
    return names, networks


def _public(address) -> bool:
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(url: str) -> Target:
    """Check `url` and resolve its host to one permitted address; ValidationError otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValidationError(_("Give an http:// or https:// address with a host name."))
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the address."))
    host = parts.hostname.lower()
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise ValidationError(_("The port of the address is not valid.")) from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(_("The host %(host)s cannot be resolved.") % {"host": host}) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    names, networks = _allowed_hosts()
    listed = host in names or any(a in net for a in addresses for net in networks)
    if not listed and not all(_public(a) for a in addresses):
        raise ValidationError(
            _(
                "%(host)s is an internal address (loopback, private or link-local). Ask an "
                "administrator to list it in XZ5G_WEBHOOK_ALLOWED_HOSTS if it is really meant."
            )
            % {"host": host}
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, *, timeout: float) -> int:
    """POST `body` to a checked `url`; the HTTP status (no redirects are followed)."""
    target = resolve(url)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
