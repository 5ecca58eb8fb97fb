"""A seeded mailbox of realistic mail, the shape issue #16 measured: about 12 kB a message on average
(124 MB for 10,000), 40 % with an HTML part, 5 % with an attachment of 50-300 kB (encoded), threads
(a quarter are replies carrying In-Reply-To and References), four languages (English, French,
German, Spanish, with their accents as UTF-8 or encoded words).

The same seed gives the same mailbox byte for byte, so two benchmark runs read the same mail.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections.abc import Iterator

LANGUAGES = {
    "en": (
        "order invoice delivery quote meeting schedule contract renewal price discount shipment warehouse "
        "support ticket account payment reminder thanks regards please confirm update next week tomorrow "
        "attached document signed project budget review question answer customer team"
    ),
    "fr": (
        "commande facture livraison devis réunion planning contrat renouvellement prix remise expédition "
        "entrepôt ticket compte paiement relance merci cordialement veuillez confirmer semaine prochaine "
        "demain pièce jointe document signé projet budget révision question réponse client équipe"
    ),
    "de": (
        "Bestellung Rechnung Lieferung Angebot Besprechung Zeitplan Vertrag Verlängerung Preis Rabatt "
        "Versand Lager Konto Zahlung Erinnerung danke Grüße bitte bestätigen nächste Woche morgen Anhang "
        "Dokument unterschrieben Projekt Budget Prüfung Frage Antwort Kunde Mannschaft größer übermäßig"
    ),
    "es": (
        "pedido factura entrega presupuesto reunión calendario contrato renovación precio descuento envío "
        "almacén cuenta pago recordatorio gracias saludos por favor confirmar próxima semana mañana adjunto "
        "documento firmado proyecto revisión pregunta respuesta cliente equipo"
    ),
}
GREETINGS = {"en": "Hello", "fr": "Bonjour", "de": "Guten Tag", "es": "Hola"}
NAMES = {
    "en": ["Carol Customer", "Dan Buyer", "Erin Ops", "Frank Finance"],
    "fr": ["Amélie Dubois", "François Leclerc", "Hélène Moreau", "Jérôme Girard"],
    "de": ["Jürgen Müller", "Käthe Schäfer", "Björn Weiß", "Grete Böhm"],
    "es": ["Iván Pérez", "Lucía Gómez", "José Martínez", "Begoña Núñez"],
}
REPLY = {"en": "Re: ", "fr": "RE : ", "de": "AW: ", "es": "RE: "}
ATTACHMENTS = [("application/pdf", "pdf"), ("image/jpeg", "jpg"), ("application/vnd.ms-excel", "xls")]


def _words(rng: random.Random, language: str, count: int) -> str:
    vocabulary = LANGUAGES[language].split()
    text = " ".join(rng.choice(vocabulary) for _ in range(count))
    return "\r\n".join(text[i : i + 72] for i in range(0, len(text), 72))


def _encoded_word(text: str) -> str:
    return text if text.isascii() else "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def message(n: int, to: str, rng: random.Random) -> bytes:
    """Message ``n`` of the mailbox, drawn from ``rng`` (the caller keeps one generator for the whole
    mailbox, so the mailbox depends on the seed alone)."""
    language = rng.choice(list(LANGUAGES))
    name = rng.choice(NAMES[language])
    sender = f"{name.split()[0].lower().encode('ascii', 'ignore').decode()}.{n % 211}@customer{n % 37}.test"
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=47 * n)
    reply = n % 4 == 0 and n > 0
    topic = f"{_words(rng, language, 3).replace(chr(13) + chr(10), ' ').capitalize()} #{n - 1 if reply else n}"
    head = [
        f"From: {_encoded_word(name)} <{sender}>",
        f"To: Alice Seller <{to}>",
        f"Subject: {_encoded_word((REPLY[language] if reply else '') + topic)}",
        f"Message-ID: <first-import.{n}.{rng.getrandbits(48):012x}@customer{n % 37}.test>",
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
        "MIME-Version: 1.0",
    ]
    if n % 5 == 0:
        cc = rng.choice(NAMES[language])
        head.append(f"Cc: {_encoded_word(cc)} <cc{n % 53}@customer{n % 37}.test>")
    if reply:
        parent = f"<thread.{n - 1}@customer{(n - 1) % 37}.test>"
        head += [f"In-Reply-To: {parent}", f"References: <thread.{n - 2}@customer{n % 37}.test> {parent}"]
    text = f"{GREETINGS[language]},\r\n\r\n{_words(rng, language, rng.randint(150, 450))}\r\n\r\n-- \r\n{name}\r\n"
    alternative = n % 5 < 2  # 40 %: a text and an HTML part
    if alternative:
        paragraphs = "".join(
            f'<p style="font-family:Arial">{_words(rng, language, 60)}</p>\r\n' for _ in range(rng.randint(3, 8))
        )
        html = f'<html><head><meta charset="utf-8"></head><body>{paragraphs}</body></html>'
        body_part = (
            'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
            f"--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n"
            f"--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n"
            "--alt--\r\n"
        )
    else:
        body_part = f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}"
    if n % 20 == 7:  # 5 %: an attachment of 50-300 kB once base64-encoded
        kind, extension = rng.choice(ATTACHMENTS)
        content = base64.encodebytes(rng.randbytes(rng.randint(36_000, 200_000))).decode().replace("\n", "\r\n")
        name = f"document-{n}.{extension}"
        attachment = [
            f'Content-Type: {kind}; name="{name}"',
            f'Content-Disposition: attachment; filename="{name}"',
            "Content-Transfer-Encoding: base64",
            "",
            content + "--mix--",
        ]
        lines = [*head, 'Content-Type: multipart/mixed; boundary="mix"', "", "--mix", body_part, "--mix", *attachment]
        return ("\r\n".join(lines) + "\r\n").encode()
    header_end, _, rest = body_part.partition("\r\n\r\n")
    head += header_end.split("\r\n")
    return ("\r\n".join(head) + "\r\n\r\n" + rest).encode()


def mailbox(count: int, to: str, seed: int = 16) -> Iterator[bytes]:
    """The ``count`` messages of the mailbox, oldest first."""
    rng = random.Random(seed)
    for n in range(count):
        yield message(n, to, rng)
