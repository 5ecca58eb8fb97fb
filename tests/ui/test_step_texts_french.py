"""A connection test's steps read in French in the French interface: a certificate's problem named
in words (self-signed, expired, wrong name, unknown issuer), and every step of the Exchange test."""

from __future__ import annotations

import pytest
from ui.test_messages_french import french  # noqa: F401 - the French interface

from desktop_sync.domain.ports.connectors import step_text
from desktop_sync.ui.explanations import localize_step_text

pytestmark = pytest.mark.gui

URL = "https://mail.contoso.test/EWS/Exchange.asmx"
SHOWN = [
    (step_text("certificate_self_signed"), "le certificat du serveur est auto-signé"),
    (step_text("certificate_expired"), "le certificat du serveur a expiré"),
    (step_text("certificate_wrong_name", host="imap.contoso.test"), "n'est pas valide pour le nom imap.contoso.test"),
    (step_text("certificate_unknown_issuer"), "une autorité que cet ordinateur ne reconnaît pas"),
    (step_text("certificate_not_verified", reason="unable to get CRL"), "n'a pas pu être vérifié : unable to get CRL"),
    (step_text("ews_url_autodiscover", url=URL), f"URL EWS {URL} (trouvée par découverte automatique)"),
    (
        step_text("ews_resolved_profile", url=URL, host="mail.contoso.test", addresses="127.0.0.1"),
        f"URL EWS {URL} (indiquée par le profil) ; mail.contoso.test : 127.0.0.1",
    ),
    (step_text("ews_signed_in", login="svc", auth="ntlm", version="Exchange2016"), "connecté en tant que svc (ntlm)"),
    (
        step_text("ews_access_impersonated", address="a@contoso.test", login="svc", folder="Inbox", total=3, unread=1),
        "a@contoso.test (emprunt d'identité par svc) : Inbox contient 3 éléments, dont 1 non lus",
    ),
    (step_text("ews_folders", count=12, under=4), "12 dossiers, dont 4 sous la boîte de réception"),
]


@pytest.mark.parametrize(("english", "french_part"), SHOWN)
def test_certificate_problems_and_exchange_steps_read_in_french(french, english: str, french_part: str) -> None:  # noqa: F811
    shown = localize_step_text(english)
    assert french_part in shown and shown != english
