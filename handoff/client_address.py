"""Which address a request comes from, for the abuse limits.

The socket's peer, unless that peer is one of ``TRUSTED_PROXIES``: then the
X-Forwarded-For hop the proxies received it from. Anyone can send the header,
so it counts only when a proxy we trust wrote it.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from aiohttp import web

from handoff.keys import SETTINGS

Network = IPv4Network | IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """Walk X-Forwarded-For from the nearest hop back while the hops are our proxies."""
    if not _trusted(peer, networks):
        return peer
    client = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        try:
            ip_address(hop)
        except ValueError:
            break  # a malformed hop was written by someone we do not trust: stop at the last good one
        client = hop
        if not _trusted(hop, networks):
            break
    return client


def client_address(request: web.Request) -> str:
    peer = request.remote or "unknown"
    networks = _networks(request.app[SETTINGS].trusted_proxies)
    if not networks:
        return peer
    return forwarded_client(peer, ",".join(request.headers.getall("X-Forwarded-For", [])), networks)


__all__ = ["client_address", "forwarded_client"]
