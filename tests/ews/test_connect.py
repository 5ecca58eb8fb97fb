"""Connecting: pinned and probed configurations, Basic, NTLM and OAuth, HTTPS, and autodiscover."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from exchangelib import (
    DELEGATE,
    NTLM,
    OAUTH2,
    Account,
    Configuration,
    Credentials,
    FailFast,
    Identity,
    OAuth2Credentials,
)
from exchangelib.autodiscover import cache as autodiscover_cache_module
from exchangelib.autodiscover.cache import autodiscover_cache
from exchangelib.autodiscover.protocol import AutodiscoverProtocol
from exchangelib.errors import UnauthorizedError
from exchangelib.protocol import close_connections
from exchangelib.version import Version

from ews.fixtures import ALICE, BOB, PASSWORDS, AccountFactory
from ews.server import AuthScheme, EwsServer, Validation


def test_pinned_account_reads_the_inbox_with_two_get_folder_calls(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.deliver(ALICE, b"From: bob@example.test\r\nTo: alice@example.test\r\nSubject: Hello\r\n\r\nHi\r\n")
    account = ews_account()

    assert [m.subject for m in account.inbox.all().only("subject")] == ["Hello"]
    assert ews_server.stats.operations() == ["GetFolder", "GetFolder", "FindItem"]
    assert account.inbox.name == "Inbox"
    assert account.inbox.total_count == 1


def test_unpinned_account_probes_auth_and_version_with_convert_id(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account(auth_type=None, version=None)

    assert account.inbox.unread_count == 0
    operations = ews_server.stats.operations()
    assert operations[:3] == ["ConvertId", "GetFolder", "GetFolder"]
    assert account.version.build.major_version == 15
    assert account.version.api_version == "Exchange2016"
    # The auth probe went unauthenticated and got the challenge; NTLM is preferred when offered.
    assert account.protocol.auth_type == NTLM


def test_ntlm_with_domain_user(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account(username="EXAMPLE\\alice", auth_type=NTLM)
    assert account.inbox.name == "Inbox"
    assert account.sent.name == "Sent Items"
    # NTLM authenticates the connection: three requests, one handshake.
    assert ews_server.stats.connections_total == 1


def test_ntlm_with_email_address_as_user(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account(username=ALICE, auth_type=NTLM)
    assert account.drafts.name == "Drafts"


def test_ntlm_wrong_password_fails_at_once(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account(username="EXAMPLE\\alice", password="wrong", auth_type=NTLM)
    with pytest.raises(UnauthorizedError):
        _ = account.inbox


def test_basic_wrong_password_fails_at_once(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account(password="wrong")
    with pytest.raises(UnauthorizedError):
        _ = account.inbox


def test_bearer_token_for_a_mailbox(ews_server: EwsServer):
    ews_server.auth_schemes = frozenset(ews_server.auth_schemes | {AuthScheme.BEARER})
    ews_server.add_oauth_token("token-for-alice", ALICE)
    response = requests.post(
        ews_server.url,
        data=GET_INBOX,
        headers={"Authorization": "Bearer token-for-alice", "Content-Type": "text/xml; charset=utf-8"},
        timeout=10,
    )
    assert response.status_code == 200
    assert b"<t:DisplayName>Inbox</t:DisplayName>" in response.content
    refused = requests.post(ews_server.url, data=GET_INBOX, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert refused.status_code == 401


GET_INBOX = b"""<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
  <s:Header><t:RequestServerVersion Version="Exchange2016"/></s:Header>
  <s:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>
  <m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></s:Body>
</s:Envelope>"""


@pytest.fixture
def https_server(tls_files) -> EwsServer:
    server = EwsServer(tls=tls_files, validation=Validation.STRICT, auth=(AuthScheme.BASIC, AuthScheme.BEARER))
    with server:
        server.add_mailbox(ALICE, PASSWORDS[ALICE])
        server.add_mailbox(BOB, PASSWORDS[BOB])
        yield server
        close_connections()
    server.assert_responses_valid()


def test_https_with_the_test_ca(https_server: EwsServer, tls_ca: Path, monkeypatch: pytest.MonkeyPatch):
    # requests verifies against REQUESTS_CA_BUNDLE: the administrator's "CA file" in the product.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_ca))
    assert https_server.url.startswith("https://127.0.0.1:")
    config = Configuration(
        service_endpoint=https_server.url,
        credentials=Credentials("alice", PASSWORDS[ALICE]),
        auth_type="basic",
        version=Version.all_versions()[2],
        retry_policy=FailFast(),
    )
    # access_type defaults to impersonation when the credentials come in the Configuration; Exchange
    # then refuses an account without the ApplicationImpersonation right, even for its own mailbox.
    account = Account(ALICE, config=config, autodiscover=False, access_type=DELEGATE)
    assert account.inbox.name == "Inbox"


class LocalTokenCredentials(OAuth2Credentials):
    """Client credentials whose token endpoint is the test server's (exchangelib's is Microsoft's)."""

    token_endpoint = ""

    @property
    def token_url(self) -> str:
        return self.token_endpoint


def test_oauth_client_credentials_with_impersonation(
    https_server: EwsServer, tls_ca: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_ca))
    https_server.add_oauth_client("app-id", "app-secret")
    https_server.deliver(BOB, b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: For Bob\r\n\r\nx\r\n")
    credentials = LocalTokenCredentials(
        client_id="app-id", client_secret="app-secret", tenant_id="tenant", identity=Identity(primary_smtp_address=BOB)
    )
    credentials.token_endpoint = https_server.token_url("tenant")
    config = Configuration(
        service_endpoint=https_server.url,
        credentials=credentials,
        auth_type=OAUTH2,
        version=Version.all_versions()[2],
        retry_policy=FailFast(),
    )
    account = Account(BOB, config=config, autodiscover=False, access_type="impersonation")
    assert [m.subject for m in account.inbox.all()] == ["For Bob"]
    assert https_server.stats.count("Token") == 1
    assert https_server.stats.count("FindItem", mailbox=BOB) == 1


def test_oauth_wrong_client_secret_is_refused(https_server: EwsServer, tls_ca: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_ca))
    https_server.add_oauth_client("app-id", "app-secret")
    response = requests.post(
        https_server.token_url(),
        data={"grant_type": "client_credentials", "client_id": "app-id", "client_secret": "nope"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_soap_autodiscover_gives_the_ews_url(ews_server: EwsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # exchangelib autodiscovers through https://<domain>/autodiscover/autodiscover.svc after DNS checks,
    # which a loopback test cannot answer; its per-domain cache is the documented way to name the
    # autodiscover endpoint. The persistent part of that cache goes to a temporary file here.
    monkeypatch.setattr(autodiscover_cache_module, "AUTODISCOVER_PERSISTENT_STORAGE", tmp_path / "autodiscover")
    credentials = Credentials("alice", PASSWORDS[ALICE])
    protocol = AutodiscoverProtocol(
        config=Configuration(
            service_endpoint=ews_server.autodiscover_url,
            credentials=credentials,
            auth_type="basic",
            retry_policy=FailFast(),
        )
    )
    try:
        autodiscover_cache[("example.test", credentials)] = protocol
        account = Account(ALICE, credentials=credentials, autodiscover=True, access_type=DELEGATE)
        assert account.protocol.service_endpoint == ews_server.url
        assert account.ad_response.autodiscover_smtp_address == ALICE
        assert account.inbox.name == "Inbox"
    finally:
        autodiscover_cache.clear()
        autodiscover_cache.close()
    assert ews_server.stats.count("GetUserSettings") == 1


def test_pox_autodiscover_gives_the_ews_url(ews_server: EwsServer):
    request = (
        '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">'
        f"<Request><EMailAddress>{ALICE}</EMailAddress><AcceptableResponseSchema>"
        "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
        "</AcceptableResponseSchema></Request></Autodiscover>"
    )
    url = ews_server.base_url + "/autodiscover/autodiscover.xml"
    response = requests.post(url, data=request, auth=("alice", PASSWORDS[ALICE]), timeout=10)
    assert response.status_code == 200
    assert f"<EwsUrl>{ews_server.url}</EwsUrl>".encode() in response.content
    unknown = requests.post(
        url, data=request.replace(ALICE, "nobody@example.test"), auth=("alice", PASSWORDS[ALICE]), timeout=10
    )
    assert b"<ErrorCode>500</ErrorCode>" in unknown.content
