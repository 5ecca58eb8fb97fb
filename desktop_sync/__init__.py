"""Desktop Sync: server-side synchronization between a CRM store and mail servers."""

__version__ = "0.1.0"
