"""The address of the client behind a request, trusting X-Forwarded-For only from our proxies."""

import ipaddress

from django.conf import settings


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    return any(address in network for network in settings.XZ5G_TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The client's IP address ("" when unknown).

    The peer (REMOTE_ADDR) is the client unless it is a trusted proxy (XZ5G_TRUSTED_PROXIES).
    Then X-Forwarded-For is read from the right, each hop appended by a proxy, and the first
    address that is not a trusted proxy is the client: entries left of it were written by the
    client itself and prove nothing.
    """
    if request is None:
        return ""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    if not _trusted(peer):
        return str(peer)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a malformed hop: nothing left of it can be trusted
        if not _trusted(address):
            return str(address)
    return str(peer)
