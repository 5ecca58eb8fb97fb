"""A throwaway certificate authority and a server certificate it signed, made with ``openssl``.

Test clients trust ``ca_cert`` exactly as an administrator sets a profile's "CA file", so certificate
and host-name checking stay on. The server certificate names ``localhost`` and ``127.0.0.1``.
"""

import os
import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import ServerUnavailable

# Our own openssl config, so the system's openssl.cnf cannot change the extensions. The extensions
# also satisfy ssl.VERIFY_X509_STRICT, which Python 3.13 turns on by default.
OPENSSL_CONFIG = """\
[req]
distinguished_name = req_dn
prompt = no

[req_dn]

[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
"""

# EC keys are generated instantly; RSA-2048 costs a noticeable fraction of a second.
KEY_OPTIONS = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
VALID_DAYS = "30"


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """PEM files: the CA certificate clients trust, and the certificate and key servers present."""

    ca_cert: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only the test CA."""
        context = ssl.create_default_context(cafile=str(self.ca_cert))
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        return context


def create_test_ca(directory: Path) -> TlsFiles:
    """Write ``ca.pem``, ``server.pem`` and ``server.key`` into ``directory``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise ServerUnavailable("openssl is not installed (Debian package: openssl)")
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "openssl.cnf"
    config.write_text(OPENSSL_CONFIG)
    files = TlsFiles(ca_cert=directory / "ca.pem", cert=directory / "server.pem", key=directory / "server.key")
    ca_key = directory / "ca.key"
    csr = directory / "server.csr"

    def run(*args: str) -> None:
        env = {**os.environ, "OPENSSL_CONF": str(config)}
        result = subprocess.run([openssl, *args], capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"openssl {args[0]} failed:\n{result.stderr}")

    run(
        "req",
        "-x509",
        *KEY_OPTIONS,
        "-config",
        str(config),
        "-extensions",
        "ca_ext",
        "-subj",
        "/O=Desktop Sync tests/CN=Desktop Sync Test CA",
        "-days",
        VALID_DAYS,
        "-keyout",
        str(ca_key),
        "-out",
        str(files.ca_cert),
    )
    run(
        "req",
        "-new",
        *KEY_OPTIONS,
        "-config",
        str(config),
        "-subj",
        "/O=Desktop Sync tests/CN=localhost",
        "-keyout",
        str(files.key),
        "-out",
        str(csr),
    )
    run(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(files.ca_cert),
        "-CAkey",
        str(ca_key),
        "-set_serial",
        str(int.from_bytes(os.urandom(8), "big")),
        "-days",
        VALID_DAYS,
        "-extfile",
        str(config),
        "-extensions",
        "server_ext",
        "-out",
        str(files.cert),
    )
    csr.unlink()
    # Servers that drop privileges (Dovecot) must still read these; the directory is a test fixture.
    for path in (files.ca_cert, files.cert, files.key):
        path.chmod(0o644)
    return files


def make_temp_ca() -> tuple[Path, TlsFiles]:
    """A new CA in a fresh world-readable temporary directory; the caller removes the directory."""
    directory = Path(tempfile.mkdtemp(prefix="desktop-sync-tls-"))
    directory.chmod(0o755)
    try:
        return directory, create_test_ca(directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
