"""The client's address: ``REMOTE_ADDR``, or behind a trusted proxy the hop that proxy saw.

A proxy appends the address it received the request from to ``X-Forwarded-For``; anything left of
that was written by the client and can be forged. So the header is read only when the request comes
from an address in ``settings.TRUSTED_PROXIES`` (addresses or CIDR networks), and then from the right:
trusted proxies are skipped and the first address that is not one is the client. Used by django-axes
(``AXES_CLIENT_IP_CALLABLE``) so login lockouts key on the real client, not on the proxy.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` entries as networks (a bare address is a network of one)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in proxies if entry.strip())


def parse_address(text: str) -> Address | None:
    """An address as a proxy writes it (``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:1.2.3.4 is 1.2.3.4
    return mapped or address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text, or None when the request has none."""
    remote = parse_address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    hops = (request.META.get("HTTP_X_FORWARDED_FOR", "") or "").split(",")
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:  # garbage a trusted proxy passed on: stop at the last hop it vouched for
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
