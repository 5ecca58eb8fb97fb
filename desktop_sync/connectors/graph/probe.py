"""The connection test of a Graph channel (Test & Enable): a token, the mailbox's folder, the folder list,
and for sending the Mail.Send permission, each a step of the test with what the server said."""

from __future__ import annotations

from desktop_sync.connectors.errors import ErrorCode
from desktop_sync.connectors.graph.answers import PERMISSION_DENIED
from desktop_sync.connectors.graph.client import GraphClient
from desktop_sync.connectors.graph.folders import read_tree
from desktop_sync.connectors.transport import StepRecorder
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.folders import INBOX
from desktop_sync.domain.ports.connectors import ConnectionTest, ConnectionTestStep, step_text

# Where a failure of the first request stops the test, by its code.
_STEP_OF = {
    ErrorCode.HOST_NOT_FOUND.value: ConnectionTestStep.RESOLVE,
    ErrorCode.SERVER_UNREACHABLE.value: ConnectionTestStep.CONNECT,
    ErrorCode.TIMEOUT.value: ConnectionTestStep.CONNECT,
    ErrorCode.CERTIFICATE_INVALID.value: ConnectionTestStep.TLS,
    ErrorCode.TLS_UNAVAILABLE.value: ConnectionTestStep.TLS,
    ErrorCode.INSECURE_TRANSPORT.value: ConnectionTestStep.TLS,
    "signin_needed": ConnectionTestStep.AUTHENTICATE,
    "signin_refused": ConnectionTestStep.AUTHENTICATE,
    "identity_provider_unavailable": ConnectionTestStep.AUTHENTICATE,
    PERMISSION_DENIED: ConnectionTestStep.ACCESS,
    ErrorCode.MAILBOX_NOT_FOUND.value: ConnectionTestStep.ACCESS,
}


async def run_test(client: GraphClient, *, access: str, list_folders: bool) -> ConnectionTest:
    """``access``: the well-known folder the channel needs ("inbox" to read, "sentitems" to send)."""
    steps = StepRecorder()
    steps.begin(ConnectionTestStep.AUTHENTICATE)
    try:
        steps.exchange(f"GET {client.base_url}/users/{client.mailbox}/mailFolders/{access}")
        folder = await client.get(f"mailFolders/{access}", {"$select": "id,displayName,totalItemCount,unreadItemCount"})
        account = client.mailbox
        steps.ok(step_text("logged_in", login=account))
        steps.begin(ConnectionTestStep.ACCESS)
        name = folder.get("displayName", access) if isinstance(folder, dict) else access
        total = folder.get("totalItemCount", "?") if isinstance(folder, dict) else "?"
        unread = folder.get("unreadItemCount", "?") if isinstance(folder, dict) else "?"
        steps.answer(f"{name}: {total} items, {unread} unread")
        steps.ok(
            step_text("ews_access_own", address=client.mailbox, login=account, folder=name, total=total, unread=unread)
        )
        if list_folders:
            steps.begin(ConnectionTestStep.LIST_FOLDERS)
            tree = await read_tree(client)
            folders = tree.server_folders()
            under = sum(1 for f in folders if f.name.startswith(INBOX + "/"))
            steps.ok(step_text("ews_folders", count=len(folders), under=under))
        if access == "sentitems":
            steps.begin(ConnectionTestStep.SEND)
            await _may_send(client, steps)
    except DesktopSyncError as problem:
        if not steps.steps:
            steps.current = _STEP_OF.get(problem.code, ConnectionTestStep.AUTHENTICATE)
        elif problem.code == PERMISSION_DENIED and steps.current is ConnectionTestStep.LIST_FOLDERS:
            steps.current = ConnectionTestStep.ACCESS
        steps.fail(problem)
    return steps.result()


async def _may_send(client: GraphClient, steps: StepRecorder) -> None:
    """Whether the mailbox may send, without sending: an empty ``sendMail`` is refused as invalid MIME (400)
    by a server that lets us send, and as forbidden (403) by one that does not."""
    steps.exchange("POST sendMail (an empty body: nothing is sent)")
    try:
        await client.post("sendMail", data=b"", content_type="text/plain")
    except DesktopSyncError as problem:
        if problem.code != ErrorCode.PROTOCOL_ERROR:
            raise
    steps.ok(step_text("sender_accepted", sender=client.mailbox))
