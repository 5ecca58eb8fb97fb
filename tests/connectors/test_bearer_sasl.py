"""The SASL side of OAuth sign-in, with generated input: the mechanism chosen from whatever a server
advertises (its CAPABILITY, CAPA or EHLO lines are outside input), and XOAUTH2/OAUTHBEARER responses
that carry any account name intact (RFC 7628's GS2 escaping) and the token only where it belongs."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.connectors.bearer import OAUTHBEARER, XOAUTH2, choose, encoded, oauthbearer, xoauth2

_MECHANISM_LIKE = st.sampled_from(["XOAUTH2", "xoauth2", "OAUTHBEARER", "OAuthBearer", "PLAIN", "LOGIN", "GSSAPI"])
_OFFERED = st.lists(st.one_of(_MECHANISM_LIKE, st.text(max_size=30)), max_size=12)
_LOGIN = st.text(st.characters(blacklist_characters="\x01", blacklist_categories=("Cs",)), min_size=1, max_size=60)
_TOKEN = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=", min_size=1, max_size=200)


@settings(max_examples=2000)
@given(_OFFERED)
def test_the_mechanism_follows_what_the_server_offers(offered: list[str]) -> None:
    names = {name.upper() for name in offered}
    expected = XOAUTH2 if XOAUTH2 in names else OAUTHBEARER if OAUTHBEARER in names else None
    assert choose(offered) == expected


def _gs2_authzid(response: bytes) -> str:
    """The account an RFC 7628 server reads from the GS2 header ("n,a=<saslname>,")."""
    header = response.decode().split("\x01", 1)[0]
    flag, authzid, rest = header.split(",", 2)
    assert flag == "n" and authzid.startswith("a=") and rest == ""
    return authzid[2:].replace("=2C", ",").replace("=3D", "=")


@settings(max_examples=2000)
@given(login=_LOGIN, token=_TOKEN, port=st.integers(min_value=1, max_value=65535))
def test_oauthbearer_carries_any_account_and_the_token_once(login: str, token: str, port: int) -> None:
    response = oauthbearer(login, token, "imap.example.test", port)
    assert _gs2_authzid(response) == login
    fields = response.decode().split("\x01")
    assert fields[-2:] == ["", ""] and f"auth=Bearer {token}" in fields and f"port={port}" in fields
    assert base64.b64decode(encoded(OAUTHBEARER, login, token, "imap.example.test", port)) == response


@settings(max_examples=2000)
@given(login=_LOGIN.filter(lambda s: "\x01" not in s), token=_TOKEN)
def test_xoauth2_carries_the_account_and_the_token(login: str, token: str) -> None:
    response = xoauth2(login, token).decode()
    assert response == f"user={login}\x01auth=Bearer {token}\x01\x01"
    assert base64.b64decode(encoded(XOAUTH2, login, token, "smtp.example.test", 587)).decode() == response
