"""What the appointments, contacts and tasks connectors (EWS and Graph) say of one item they cannot write:
its change key is stale (changed or deleted in Exchange since the cycle read it: planned again next cycle),
or a CRM value the server cannot take."""

from __future__ import annotations

from desktop_sync.domain.errors import ErrorScope, TransientError
from desktop_sync.domain.model import RecordType

STALE = "change_key_stale"


def stale(server_id: str, why: str) -> TransientError:
    return TransientError(f"{server_id}: {why}", code=STALE, scope=ErrorScope.ITEM)


def invalid(record_type: RecordType, problem: ValueError, server: str = "Exchange") -> TransientError:
    return TransientError(
        f"a {record_type.value} {server} cannot take: {problem}", code="invalid_value", scope=ErrorScope.ITEM
    )
