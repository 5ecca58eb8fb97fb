"""The PySide6 administration application. Talks to services and listens to engine events only."""

from desktop_sync.ui.refcount_guard import protect_singletons

protect_singletons()  # before any signal reaches a Python slot; see refcount_guard
