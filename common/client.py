"""The client's address: the one reading for the login lock-out (django-axes calls it through
AXES_CLIENT_IP_CALLABLE) and the audit log (audit.context.Middleware).

A direct connection's client is its peer (REMOTE_ADDR); an X-Forwarded-For it sends is its own
writing and is ignored. Only when the peer is one of TRUSTED_PROXIES (the TLS proxy,
deploy/nginx.conf) does X-Forwarded-For name the client: that proxy sets the header to the
address it was connected from, overwriting what the client sent, so it holds one address."""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: HttpRequest) -> str | None:
    """The client's address (normalised), or None when the peer's is not an address."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None or not _from_trusted_proxy(peer):
        return str(peer) if peer else None
    # python-ipware reads the header (ports, brackets, IPv4-mapped IPv6); strict with no further
    # proxies: a chain of several addresses is not what our proxy sends, and is not guessed at.
    forwarded, _ = get_client_ip(
        request, proxy_count=0, request_header_order=["HTTP_X_FORWARDED_FOR"], strict=True
    )
    return forwarded or str(peer)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _from_trusted_proxy(peer: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(peer in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)
