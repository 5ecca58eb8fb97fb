"""IMAP: the cursor codec (``cursor``), the blocking session (``session``), the connection each
connector holds (``link``), incremental fetching (``fetch``), IDLE push (``idle``) and the Sent folder
(``sent``). The names other modules use are importable from here."""

from desktop_sync.connectors.imap.cursor import FolderCursor, parse_server_id, server_id, unchanged
from desktop_sync.connectors.imap.fetch import BATCH_BYTES, BATCH_SIZE, ImapIncoming
from desktop_sync.connectors.imap.idle import IDLE_RENEW_SECONDS, ImapIdleListener
from desktop_sync.connectors.imap.link import Parking, pool_key
from desktop_sync.connectors.imap.sent import SENT_NAMES, SentFolder
from desktop_sync.connectors.imap.session import INBOX, Folder

__all__ = [
    "BATCH_BYTES",
    "BATCH_SIZE",
    "IDLE_RENEW_SECONDS",
    "INBOX",
    "SENT_NAMES",
    "Folder",
    "FolderCursor",
    "ImapIdleListener",
    "ImapIncoming",
    "Parking",
    "SentFolder",
    "parse_server_id",
    "pool_key",
    "server_id",
    "unchanged",
]
