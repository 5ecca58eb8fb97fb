"""The Graph client of one profile and mailbox: where Graph is (the profile's server, graph.microsoft.com
by default), how it is trusted (the profile's CA file, else the system's store) and whose tokens it sends."""

from __future__ import annotations

from desktop_sync.connectors.errors import ErrorCode, credentials_scope, error
from desktop_sync.connectors.graph.client import GraphClient, GraphSessions, MailboxGates
from desktop_sync.connectors.transport import transport_context
from desktop_sync.domain.model import Mailbox, Profile
from desktop_sync.domain.ports.connectors import Credentials
from desktop_sync.domain.signin import AccessToken, SignInNeeded

VERSION = "v1.0"


def graph_url(profile: Profile) -> str:
    """``https://graph.microsoft.com/v1.0``, or the profile's own Graph host and port (a national cloud, a test)."""
    endpoint = profile.incoming
    port = "" if endpoint.port in (443, 0) else f":{endpoint.port}"
    return f"https://{endpoint.host}{port}/{VERSION}"


class NoSignIn:
    """The tokens of a connector built without any: every request says a sign-in is needed."""

    provider = "microsoft"  # Exchange Online signs in at Microsoft only

    def __init__(self, mailbox: str) -> None:
        self._mailbox = mailbox

    async def token(self) -> AccessToken:
        raise SignInNeeded(f"{self._mailbox} has no Microsoft sign-in for Exchange Online")

    def rejected(self, token: AccessToken) -> None:
        """Nothing was handed out."""


def client_for(
    profile: Profile,
    mailbox: Mailbox,
    credentials: Credentials,
    *,
    gates: MailboxGates | None = None,
    sessions: GraphSessions | None = None,
) -> GraphClient:
    """A client of ``mailbox`` as the profile reaches it; HTTPS only (clear text is refused here)."""
    context = transport_context(profile, profile.incoming)
    if context is None:
        raise error(ErrorCode.INSECURE_TRANSPORT, "Microsoft Graph is reached over HTTPS only")
    timeout = float(profile.timeout_seconds)
    session = sessions.session(context, profile.ca_file or "", timeout) if sessions is not None else None
    return GraphClient(
        graph_url(profile),
        mailbox.address,
        credentials.bearer if credentials.bearer is not None else NoSignIn(mailbox.address),
        ssl_context=context,
        timeout=timeout,
        gates=gates,
        session=session,
        auth_scope=credentials_scope(profile),
    )
