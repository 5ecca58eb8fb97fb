"""A service account's certificate (Microsoft's client assertion), read from the PEM file an admin gives.

Microsoft Entra lets an application prove itself with a certificate instead of a client secret: it
signs a short assertion with the private key, and Entra finds the certificate by its thumbprint (the
SHA-1 of the certificate's DER bytes, as the Entra portal shows it). The admin gives one PEM file
holding the certificate and its unencrypted private key; what goes to the keyring is the private key
and the thumbprint, in one string beside where a client secret would be. Pure: stdlib only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.validation import field_error

# What the keyring value of a certificate starts with: a client secret never does (Entra's are
# 40 characters of letters, digits and ~._-, Google's and other providers' the same kind).
STORED_PREFIX = "desktop-sync-client-certificate:"
MAX_PEM_CHARS = 100_000

_BLOCK = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]+)-----\r?\n(?P<body>[A-Za-z0-9+/=\r\n\t ]*?)-----END (?P=label)-----"
)
_PRIVATE_KEYS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """The private key (PEM, never shown) and the certificate's thumbprint (hex, as Entra shows it)."""

    private_key: str = field(repr=False)
    thumbprint: str

    def stored(self) -> str:
        """The keyring's value for it."""
        return STORED_PREFIX + json.dumps({"private_key": self.private_key, "thumbprint": self.thumbprint})


def read_client_certificate(text: str, field_name: str = "client_certificate") -> ClientCertificate:
    """The certificate and private key of a PEM file's text; ValidationError (on ``field_name``) saying
    what is missing or wrong, never a crash."""
    if len(text) > MAX_PEM_CHARS:
        raise ValidationError.single(field_name, field_error("client_certificate_too_large", limit=str(MAX_PEM_CHARS)))
    blocks = [(m.group("label"), m.group(0), m.group("body")) for m in _BLOCK.finditer(text)]
    if any(label == "ENCRYPTED PRIVATE KEY" for label, _, _ in blocks):
        raise ValidationError.single(field_name, field_error("client_certificate_encrypted"))
    certificates = [body for label, _, body in blocks if label == "CERTIFICATE"]
    keys = [whole for label, whole, body in blocks if label in _PRIVATE_KEYS and _der(body)]
    if not certificates:
        raise ValidationError.single(field_name, field_error("client_certificate_no_certificate"))
    if not keys:
        raise ValidationError.single(field_name, field_error("client_certificate_no_key"))
    if len(keys) > 1:
        raise ValidationError.single(field_name, field_error("client_certificate_many_keys"))
    der = _der(certificates[0])  # the first certificate is the application's; any others are its chain
    if der is None:
        raise ValidationError.single(field_name, field_error("client_certificate_no_certificate"))
    return ClientCertificate(private_key=keys[0].replace("\r\n", "\n"), thumbprint=hashlib.sha1(der).hexdigest())


def _der(body: str) -> bytes | None:
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return der or None


def stored_client_credential(stored: str) -> str | ClientCertificate:
    """What the keyring holds for a service account: its client secret, or its certificate."""
    if not stored.startswith(STORED_PREFIX):
        return stored
    try:
        data = json.loads(stored[len(STORED_PREFIX) :])
        return ClientCertificate(private_key=str(data["private_key"]), thumbprint=str(data["thumbprint"]))
    except (ValueError, KeyError, TypeError):
        return stored  # not ours after all: the provider will say whether it is a good secret
