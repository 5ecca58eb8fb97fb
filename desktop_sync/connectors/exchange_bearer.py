"""EWS with an OAuth profile's bearer tokens from the broker: the header on every request of a
protocol, and the identity an application's token impersonates where exchangelib looks for it."""

from __future__ import annotations

import requests
from exchangelib import Identity
from exchangelib.credentials import OAuth2Credentials


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer`` with the access token the connector last got from the broker, for every
    session of a protocol: the broker refreshes tokens, exchangelib never asks a token service itself."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "BearerAuth()"

    def use(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request


class Impersonating(OAuth2Credentials):  # type: ignore[misc]
    """Only the identity an application's token impersonates, where exchangelib looks for it; no secret."""

    def __init__(self, address: str) -> None:
        super().__init__(client_id="", client_secret="", identity=Identity(primary_smtp_address=address))
