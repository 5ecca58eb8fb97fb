"""Adapters to identity providers: OAuth 2.0 sign-in and tokens for the mail connectors.

``microsoft.py`` signs in at Microsoft's identity platform through msal; ``oidc.py`` at Google or any
OpenID Connect provider through authlib; ``loopback.py`` receives the browser's answer on
``http://127.0.0.1:<port>/`` (RFC 8252); ``broker.py`` keeps access tokens in memory, refreshes them
before they expire or when a server refuses one, and keeps each mailbox's grant in the keyring.
"""
