"""The test OAuth/OIDC provider speaks the protocols the product's sign-in will rely on, and refuses what it must.

Each test plays a client by hand with ``requests`` (over TLS, trusting only the test CA), so that
when the product's sign-in fails against this provider, the provider is known to be right.
"""

import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth.client import APP, IMAP_SCOPE, REDIRECT, Client, pkce
from oauth.provider import APP_SCOPES, OAuthProvider

ALICE = "alice@example.test"


def introspect(provider: OAuthProvider, ca: Path, token: str) -> dict[str, Any]:
    answer = requests.post(
        provider.endpoint("introspect"),
        data={"token": token},
        auth=("dovecot", "dovecot-secret"),
        verify=str(ca),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.fixture
def provider(oauth_provider: OAuthProvider) -> OAuthProvider:
    oauth_provider.add_client(APP)
    oauth_provider.add_client("dovecot", secret="dovecot-secret", introspects=True)
    oauth_provider.add_user(ALICE, display_name="Alice Test")
    oauth_provider.sign_in_as(ALICE)
    return oauth_provider


def test_discovery_and_keys_describe_the_endpoints_and_verify_the_id_token(
    provider: OAuthProvider, tls_ca: Path
) -> None:
    http = requests.Session()
    http.trust_env = False
    http.verify = str(tls_ca)
    discovery = http.get(provider.issuer + "/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == provider.issuer
    assert discovery["token_endpoint"] == provider.endpoint("token")
    assert "S256" in discovery["code_challenge_methods_supported"]
    keys = KeySet.import_key_set(http.get(discovery["jwks_uri"], timeout=10).json())

    tokens = Client(provider, tls_ca).sign_in(nonce="abc")
    claims = jwt.decode(tokens["id_token"], keys).claims
    assert (claims["iss"], claims["aud"], claims["nonce"], claims["email"]) == (provider.issuer, APP, "abc", ALICE)
    assert {"access_token", "refresh_token", "expires_in"} <= tokens.keys()
    assert IMAP_SCOPE in tokens["scope"].split()


def test_an_access_token_introspects_as_its_user_until_revoked(provider: OAuthProvider, tls_ca: Path) -> None:
    tokens = Client(provider, tls_ca).sign_in()
    found = introspect(provider, tls_ca, tokens["access_token"])
    assert (found["active"], found["username"], found["email"], found["client_id"]) == (True, "alice", ALICE, APP)

    assert provider.revoke(email=ALICE) == 1
    assert introspect(provider, tls_ca, tokens["access_token"]) == {"active": False}
    refreshed = Client(provider, tls_ca).token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")


def test_only_a_resource_server_may_introspect(provider: OAuthProvider, tls_ca: Path) -> None:
    provider.add_client("stranger", secret="s3cret")
    tokens = Client(provider, tls_ca).sign_in()
    answer = requests.post(
        provider.endpoint("introspect"), data={"token": tokens["access_token"]}, auth=("stranger", "s3cret"),
        verify=str(tls_ca), timeout=10,
    )  # fmt: skip
    assert answer.json() == {"active": False}


def test_pkce_is_required_of_a_public_client_and_checked(provider: OAuthProvider, tls_ca: Path) -> None:
    client = Client(provider, tls_ca)
    without = client.authorize(state="s")
    assert without.status_code == 302
    assert (
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(without.headers["Location"]).query))["error"]
        == "invalid_request"
    )

    _, challenge = pkce()
    answer = client.authorize(code_challenge=challenge, code_challenge_method="S256")
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))["code"]
    wrong = client.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=pkce()[0])
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")


def test_a_code_is_good_once(provider: OAuthProvider, tls_ca: Path) -> None:
    client = Client(provider, tls_ca)
    verifier, challenge = pkce()
    answer = client.authorize(code_challenge=challenge, code_challenge_method="S256")
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    assert client.token(**form).status_code == 200
    again = client.token(**form)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_refresh_rotates_and_a_used_refresh_token_is_refused(provider: OAuthProvider, tls_ca: Path) -> None:
    client = Client(provider, tls_ca)
    first = client.sign_in()
    second = client.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"] and rotated["access_token"] != first["access_token"]
    assert "id_token" in rotated

    reused = client.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    assert client.token(grant_type="refresh_token", refresh_token=rotated["refresh_token"]).status_code == 200


def test_expired_access_tokens_are_inactive_and_refresh_still_works(provider: OAuthProvider, tls_ca: Path) -> None:
    client = Client(provider, tls_ca)
    tokens = client.sign_in()
    provider.expire_access_tokens()
    assert introspect(provider, tls_ca, tokens["access_token"]) == {"active": False}
    fresh = client.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    assert introspect(provider, tls_ca, fresh["access_token"])["active"] is True


def test_a_client_revokes_its_refresh_token_and_with_it_the_grant(provider: OAuthProvider, tls_ca: Path) -> None:
    client = Client(provider, tls_ca)
    tokens = client.sign_in()
    answer = client.http.post(
        provider.endpoint("revoke"), data={"token": tokens["refresh_token"], "client_id": APP}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert introspect(provider, tls_ca, tokens["access_token"]) == {"active": False}


def test_a_declined_sign_in_comes_back_as_access_denied_with_the_state(provider: OAuthProvider, tls_ca: Path) -> None:
    provider.decline()
    _, challenge = pkce()
    answer = Client(provider, tls_ca).authorize(code_challenge=challenge, code_challenge_method="S256", state="keep")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))
    assert (query["error"], query["state"]) == ("access_denied", "keep")


def test_a_scope_the_app_was_not_given_is_refused(provider: OAuthProvider, tls_ca: Path) -> None:
    provider.add_client("imap-only", scopes=frozenset({IMAP_SCOPE}))
    _, challenge = pkce()
    answer = Client(provider, tls_ca, "imap-only").authorize(
        scope="https://outlook.office.com/SMTP.Send", code_challenge=challenge, code_challenge_method="S256"
    )
    assert (
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))["error"]
        == "invalid_scope"
    )


def test_an_unknown_client_or_a_foreign_redirect_is_never_redirected_to(provider: OAuthProvider, tls_ca: Path) -> None:
    _, challenge = pkce()
    unknown = Client(provider, tls_ca, "nobody").authorize(code_challenge=challenge, code_challenge_method="S256")
    assert unknown.status_code in (400, 401) and "Location" not in unknown.headers
    foreign = Client(provider, tls_ca).authorize(
        redirect_uri="https://attacker.test/", code_challenge=challenge, code_challenge_method="S256"
    )
    assert foreign.status_code == 400 and "Location" not in foreign.headers


def test_client_credentials_for_a_service_account(provider: OAuthProvider, tls_ca: Path) -> None:
    provider.add_client("service", secret="svc-secret", app_scopes=APP_SCOPES)
    service = Client(provider, tls_ca, "service", secret="svc-secret")
    answer = service.token(grant_type="client_credentials", scope="https://outlook.office365.com/.default")
    assert answer.status_code == 200, answer.text
    assert "refresh_token" not in answer.json()
    found = introspect(provider, tls_ca, answer.json()["access_token"])
    assert (found["active"], found["client_id"], found["sub"]) == (True, "service", "service")

    wrong = Client(provider, tls_ca, "service", secret="nope").token(grant_type="client_credentials")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    public = Client(provider, tls_ca).token(grant_type="client_credentials")
    assert public.status_code in (400, 401)


def test_device_code_pending_then_approved(provider: OAuthProvider, tls_ca: Path) -> None:
    client = Client(provider, tls_ca)
    started = client.http.post(
        provider.endpoint("devicecode"), data={"client_id": APP, "scope": f"offline_access {IMAP_SCOPE}"}, timeout=10
    )
    assert started.status_code == 200, started.text
    device = started.json()
    assert device["verification_uri"] == provider.endpoint("device") and device["user_code"] in device["message"]
    poll = {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": device["device_code"]}
    pending = client.token(**poll)
    assert (pending.status_code, pending.json()["error"]) == (400, "authorization_pending")

    page = client.http.get(
        device["verification_uri"], params={"user_code": device["user_code"], "login_hint": ALICE}, timeout=10
    )
    assert page.status_code == 200
    tokens = client.token(**poll)
    assert tokens.status_code == 200, tokens.text
    assert {"access_token", "refresh_token"} <= tokens.json().keys()
    assert introspect(provider, tls_ca, tokens.json()["access_token"])["username"] == "alice"
    assert client.token(**poll).status_code == 400  # a device code is redeemed once


def test_a_denied_device_code(provider: OAuthProvider, tls_ca: Path) -> None:
    client = Client(provider, tls_ca)
    device = client.http.post(provider.endpoint("devicecode"), data={"client_id": APP}, timeout=10).json()
    provider.deny_device(device["user_code"])
    denied = client.token(grant_type="urn:ietf:params:oauth:grant-type:device_code", device_code=device["device_code"])
    assert (denied.status_code, denied.json()["error"]) == (400, "access_denied")


def test_a_provider_that_is_down_answers_503(provider: OAuthProvider, tls_ca: Path) -> None:
    provider.down = True
    answer = Client(provider, tls_ca).token(grant_type="refresh_token", refresh_token="x")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"


def test_a_skewed_clock_shows_in_the_tokens_it_signs(provider: OAuthProvider, tls_ca: Path) -> None:
    provider.clock.skew = 300.0
    tokens = Client(provider, tls_ca).sign_in()
    keys = KeySet.import_key_set(provider.jwks())
    claims = jwt.decode(tokens["id_token"], keys).claims
    found = introspect(provider, tls_ca, tokens["access_token"])
    assert claims["iat"] == found["iat"] and found["iat"] >= int(provider.clock.now()) - 5 > 0


def test_calls_are_recorded_without_tokens(provider: OAuthProvider, tls_ca: Path) -> None:
    tokens = Client(provider, tls_ca).sign_in()
    text = repr(provider.calls)
    assert "/oauth2/v2.0/token" in text and tokens["access_token"] not in text and tokens["refresh_token"] not in text


TOKEN_FIELDS = ["grant_type", "code", "refresh_token", "client_id", "scope", "code_verifier", "redirect_uri",
                "device_code", "client_secret"]  # fmt: skip
form_values = st.one_of(
    st.text(max_size=40), st.sampled_from(["authorization_code", "refresh_token", "client_credentials"])
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.dictionaries(st.sampled_from(TOKEN_FIELDS), form_values, max_size=6))
def test_any_token_request_gets_an_oauth_answer_never_a_server_error(
    provider: OAuthProvider, tls_ca: Path, form: dict[str, str]
) -> None:
    answer = requests.post(provider.endpoint("token"), data=form, verify=str(tls_ca), timeout=10)
    assert answer.status_code in (200, 400, 401), answer.text
    assert answer.status_code == 200 or "error" in answer.json()
