"""A native app played by hand with ``requests``, for the tests that prove the provider and the mail servers."""

import base64
import hashlib
import secrets
import urllib.parse
from pathlib import Path
from typing import Any

import requests

from .provider import OAuthProvider

IMAP_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"
APP = "desktop-sync-test-app"
REDIRECT = "http://127.0.0.1:53682/"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class Client:
    """A native app, played by hand."""

    def __init__(self, provider: OAuthProvider, ca: Path, client_id: str = APP, secret: str | None = None) -> None:
        self.provider = provider
        self.client_id = client_id
        self.secret = secret
        self.http = requests.Session()
        self.http.trust_env = False  # else REQUESTS_CA_BUNDLE, when set, wins over ``verify``
        self.http.verify = str(ca)

    def authorize(self, *, scope: str = f"openid offline_access {IMAP_SCOPE}", **extra: str) -> requests.Response:
        params = {"client_id": self.client_id, "response_type": "code", "redirect_uri": REDIRECT, "scope": scope}
        params.update(extra)
        url = self.provider.endpoint("authorize") + "?" + urllib.parse.urlencode(params)
        return self.http.get(url, allow_redirects=False, timeout=10)

    def token(self, **form: str) -> requests.Response:
        auth = (self.client_id, self.secret) if self.secret else None
        if auth is None:
            form.setdefault("client_id", self.client_id)
        return self.http.post(self.provider.endpoint("token"), data=form, auth=auth, timeout=10)

    def sign_in(self, nonce: str = "n-0S6") -> dict[str, Any]:
        verifier, challenge = pkce()
        answer = self.authorize(code_challenge=challenge, code_challenge_method="S256", state="xyz", nonce=nonce)
        assert answer.status_code == 302, answer.text
        redirect = urllib.parse.urlsplit(answer.headers["Location"])
        query = dict(urllib.parse.parse_qsl(redirect.query))
        assert f"{redirect.scheme}://{redirect.netloc}{redirect.path}" == REDIRECT and query["state"] == "xyz"
        tokens = self.token(
            grant_type="authorization_code", code=query["code"], redirect_uri=REDIRECT, code_verifier=verifier
        )
        assert tokens.status_code == 200, tokens.text
        return dict(tokens.json())
