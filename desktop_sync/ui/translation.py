"""The interface language: the system locale's, or DESKTOP_SYNC_LANG=fr|en.

English is the source text; its catalogue holds only the plural forms ("1 mailbox", "2 mailboxes").
Beside the interface's catalogue, ``desktop_sync_messages_<lang>.qm`` translates the engine's and
services' explanations (domain/messages.py; see ui/explanations.py), in a context of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop_sync.resources import resource_path

log = logging.getLogger("desktop_sync.ui")

LANGUAGE_ENV = "DESKTOP_SYNC_LANG"
LANGUAGES = ("en", "fr")


def choose_language(environ: Mapping[str, str], system_locale: str) -> str:
    """``fr`` or ``en``: the override when it names one of them, else the system locale's language."""
    override = environ.get(LANGUAGE_ENV, "").strip().lower().replace("-", "_").split("_")[0]
    if override in LANGUAGES:
        return override
    if override:
        log.warning("%s=%r is not one of %s; following the system locale", LANGUAGE_ENV, override, LANGUAGES)
    language = system_locale.lower().replace("-", "_").split("_")[0]
    return language if language in LANGUAGES else "en"


def catalogue_path(language: str) -> str:
    return str(resource_path(f"translations/desktop_sync_{language}.qm"))


def messages_catalogue_path(language: str) -> str:
    return str(resource_path(f"translations/desktop_sync_messages_{language}.qm"))


def install_translators(app: QCoreApplication, environ: Mapping[str, str]) -> tuple[str, list[QTranslator]]:
    """Install the catalogues of the chosen language (ours and Qt's own dialogs'); returns them to keep."""
    language = choose_language(environ, QLocale.system().name())
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(catalogue_path(language)):
        app.installTranslator(ours)
        installed.append(ours)
    else:
        log.warning("no %s catalogue at %s; the interface stays in English", language, catalogue_path(language))
    if language != "en":  # the catalogue's texts are English already
        messages = QTranslator(app)
        if messages.load(messages_catalogue_path(language)):
            app.installTranslator(messages)
            installed.append(messages)
        else:
            log.warning(
                "no %s message catalogue at %s; alerts and errors stay in English",
                language,
                messages_catalogue_path(language),
            )
    qt = QTranslator(app)
    if language != "en" and qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    if QLocale.system().name().split("_")[0] != language:
        # dates and numbers follow the interface's language, not only the words (a system in
        # en_GB keeps its own English formats; French words on a German system get French dates)
        QLocale.setDefault(QLocale(language))
    return language, installed
