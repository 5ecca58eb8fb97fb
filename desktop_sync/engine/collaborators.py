"""What every job of the engine is built with: the store, the connectors, the secrets, the
throttles, the event bus, the counters and the clock — passed once, kept under the same names."""

from __future__ import annotations

from typing import NotRequired, TypedDict, Unpack

from desktop_sync.domain.ports import Clock, ConnectorFactory, SecretStore, Store, TokenIssuer
from desktop_sync.engine.counters import Counters
from desktop_sync.engine.events import EventBus
from desktop_sync.engine.throttle import Throttles


class Collaborators(TypedDict):
    store: Store
    connectors: ConnectorFactory
    secrets: SecretStore
    throttles: Throttles
    bus: EventBus
    counters: Counters
    clock: Clock
    tokens: NotRequired[TokenIssuer | None]  # OAuth profiles' access tokens (None: no identity provider)


class EngineJob:
    """A job of the engine (a mailbox's cycle, its ACT cycle, the outgoing sender), built with the
    engine's collaborators as keyword arguments."""

    def __init__(self, **parts: Unpack[Collaborators]):
        self._store = parts["store"]
        self._connectors = parts["connectors"]
        self._secrets = parts["secrets"]
        self._throttles = parts["throttles"]
        self._bus = parts["bus"]
        self._counters = parts["counters"]
        self._now = parts["clock"]
        self._tokens = parts.get("tokens")
