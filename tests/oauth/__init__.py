"""The project's own OAuth 2.0 / OpenID Connect provider for tests (see ``provider.py``)."""
