"""The E-mail Router migration wizard (``wizard``), one module per page."""

from desktop_sync.ui.migration.widgets import Page
from desktop_sync.ui.migration.wizard import MigrationWizard

__all__ = ["MigrationWizard", "Page"]
