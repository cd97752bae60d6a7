"""Unsafe settings for a production server: what ``almanac check`` reports and ``serve`` refuses.

Embedded mode (no ``DATABASE_URL``) is a developer's laptop: the development key and an
open GraphiQL are fine there. With ``DATABASE_URL`` set the server is a deployment, and
starting it on the public development key would let anyone sign an ADMIN token, so that
one finding is fatal (``refuse_unsafe_start``); the others are warnings ``almanac check``
lists (and exits non-zero on) for whoever deploys.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.settings import DEVELOPMENT_SECRET_KEY, Settings

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
MIN_SECRET_KEY_LENGTH = 32  # HS256 wants a key at least as long as its 256-bit hash (RFC 7518 3.2)


@dataclass(frozen=True, slots=True)
class Finding:
    setting: str
    problem: str
    fatal: bool = False

    def __str__(self) -> str:
        return f"{'ERROR' if self.fatal else 'WARNING'} {self.setting}: {self.problem}"


class UnsafeSettings(RuntimeError):
    pass


def secret_key_findings(settings: Settings) -> list[Finding]:
    if settings.secret_key == DEVELOPMENT_SECRET_KEY:
        return [Finding("ALMANAC_SECRET_KEY", "is the public development key: anyone can sign an ADMIN token."
                        " Set a random key of at least 32 characters"
                        " (python3 -c 'import secrets; print(secrets.token_urlsafe(48))').", fatal=True)]
    if len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        return [Finding("ALMANAC_SECRET_KEY", f"has {len(settings.secret_key)} characters;"
                        f" use at least {MIN_SECRET_KEY_LENGTH} random ones.", fatal=True)]
    return []


def _proxy_findings(settings: Settings) -> list[Finding]:
    findings = []
    for proxy in settings.trusted_proxy_list:
        if proxy == "*":
            findings.append(Finding("ALMANAC_TRUSTED_PROXIES", "'*' lets any client choose its own address"
                                    " (X-Forwarded-For) and so escape per-IP limits; list the proxies."))
            continue
        try:
            network = ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            findings.append(Finding("ALMANAC_TRUSTED_PROXIES", f"{proxy!r} is not an IP address or network.",
                                    fatal=True))
            continue
        if network.num_addresses > 2**16:
            findings.append(Finding("ALMANAC_TRUSTED_PROXIES", f"{proxy} trusts {network.num_addresses} addresses"
                                    " to report client addresses; narrow it to the proxies."))
    return findings


def _rate_findings(settings: Settings) -> list[Finding]:
    names = {
        "ALMANAC_RATE_LIMIT": settings.rate_limit, "ALMANAC_LOGIN_RATE_LIMIT": settings.login_rate_limit,
        "ALMANAC_LOGIN_IP_RATE_LIMIT": settings.login_ip_rate_limit, "ALMANAC_COST_BUDGET": settings.cost_budget,
        "ALMANAC_ANONYMOUS_COST_BUDGET": settings.anonymous_cost_budget,
        "ALMANAC_FEED_RATE_LIMIT": settings.feed_rate_limit,
    }
    return [Finding(name, "is off: nothing bounds how much one client can ask for.")
            for name, value in names.items() if value.strip().lower() in {"", "off", "none", "0"}]


def _storage_findings(settings: Settings) -> list[Finding]:
    endpoint = urlsplit(settings.s3_endpoint_url or "https://s3.amazonaws.com")
    if settings.storage_backend != "s3" or endpoint.scheme != "http" or endpoint.hostname in LOOPBACK:
        return []
    return [Finding("ALMANAC_S3_ENDPOINT_URL", f"{settings.s3_endpoint_url} is not https: every attachment"
                    " would cross the network in clear text.")]


def deployment_findings(settings: Settings) -> list[Finding]:
    """Everything unsafe for a server reachable by others (also reported in embedded mode)."""
    findings = (secret_key_findings(settings) + _proxy_findings(settings) + _rate_findings(settings)
                + _storage_findings(settings))
    if settings.graphiql:
        findings.append(Finding("ALMANAC_GRAPHIQL", "GraphiQL is served; set false unless analysts use it."))
    if settings.introspection:
        findings.append(Finding("ALMANAC_INTROSPECTION", "the schema is open to introspection by anyone;"
                                " set false unless clients need it."))
    if "*" in settings.cors_origin_list:
        findings.append(Finding("ALMANAC_CORS_ORIGINS", "'*' lets every web site call the API from a browser;"
                                " list the frontend origins."))
    if settings.database_url and not settings.redis_url:
        findings.append(Finding("REDIS_URL", "unset: almanac serve runs a private Redis on this host, so"
                                " other hosts and separate `almanac worker` processes cannot share it."))
    if not settings.public_url.startswith("https://"):
        findings.append(Finding("ALMANAC_PUBLIC_URL", f"{settings.public_url} is not https: tokens and"
                                " passwords would cross the network in clear text."))
    return findings


def refuse_unsafe_start(settings: Settings) -> None:
    """Raise ``UnsafeSettings`` when a deployment (DATABASE_URL set) would start on an unsafe key."""
    if settings.embedded:
        return
    fatal = [finding for finding in secret_key_findings(settings) + _proxy_findings(settings) if finding.fatal]
    if fatal:
        lines = "\n".join(f"  {finding}" for finding in fatal)
        raise UnsafeSettings(f"refusing to start with DATABASE_URL set:\n{lines}\n"
                             "Run `almanac check` to see every unsafe setting.")
