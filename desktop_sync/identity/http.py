"""The HTTP session identity providers are reached with: the profile's CA file, else the system's store."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import requests

TIMEOUT = 30.0


def system_ca_file() -> str | bool:
    """The operating system's CA bundle when Python knows it (Debian: /etc/ssl/certs), else certifi's."""
    cafile = ssl.get_default_verify_paths().cafile
    return cafile if cafile and Path(cafile).is_file() else True


class CaFirst(requests.Session):
    """A requests session whose ``verify`` wins over REQUESTS_CA_BUNDLE.

    requests lets that environment variable win over a session's ``verify`` (psf/requests#3829), which
    would quietly trust another CA set than the profile's. Proxies from the environment still apply.
    """

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> dict[str, Any]:
        settings: dict[str, Any] = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None or verify is True:
            settings["verify"] = self.verify
        return settings

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


class ProviderSession(CaFirst):
    """The session to an identity provider: the profile's CA file, else the system's store."""

    def __init__(self, ca_file: str | None) -> None:
        super().__init__()
        self.verify = ca_file if ca_file else system_ca_file()
