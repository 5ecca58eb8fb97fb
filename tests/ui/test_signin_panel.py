"""The Sign in… panel says any refusal of any provider in words: whatever the provider's answer (a
generated one, in the thousands), the text names what happened, quotes the provider, and never fails."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_sync.domain.signin import ProviderUnavailable, SignInNeeded, SignInRefused
from desktop_sync.ui.signin_panel import SignInPanel, State

pytestmark = pytest.mark.gui

CODES = st.sampled_from(
    ["access_denied", "invalid_client", "unauthorized_client", "invalid_scope", "invalid_grant", "server_error", ""]
)


@pytest.fixture(scope="module")
def panel(qapp):
    return SignInPanel()


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from([SignInRefused, ProviderUnavailable, SignInNeeded]), code=CODES, said=st.text())
def test_any_refusal_is_said_in_words(panel, kind, code, said):
    message = f"the identity provider refused the sign-in ({code}: {said})" if code else said
    text = panel.describe(kind(message))
    assert text.strip()
    assert message in text or message.strip() == "" or kind is SignInNeeded
    panel.show_failed(text)
    assert panel.state is State.FAILED and panel.status.text() == text


def test_the_provider_codes_get_their_own_words(panel):
    assert "declined" in panel.describe(SignInRefused("refused (access_denied: no)"))
    assert "client id" in panel.describe(SignInRefused("refused (invalid_client: AADSTS700016)"))
    assert "scope" in panel.describe(SignInRefused("refused (invalid_scope: IMAP)"))
    assert "cannot be reached" in panel.describe(ProviderUnavailable("503"))
    assert "in time" in panel.describe(SignInRefused("the sign-in was cancelled or took too long"))


def test_the_panel_speaks_french(qapp, french):
    panel = SignInPanel()
    panel.show_waiting_browser()
    assert panel.status.text() == "En attente de la connexion dans votre navigateur…"
    assert panel.cancel_button.text() == "Annuler la connexion"
    text = panel.describe(SignInRefused("the identity provider refused the sign-in (access_denied: no)"))
    assert text.startswith("La connexion a été refusée dans le navigateur.")
