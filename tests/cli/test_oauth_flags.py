"""The OAuth flags as the command line reads them, with thousands of generated values: every typed
value ends in a profile or in a field error naming the flag, never a crash; scopes keep their order
once each, whether typed in one argument or several; a preset never overrides a flag typed besides it."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from desktop_sync.cli import build_parser
from desktop_sync.cli.profiles import _edited, split_scopes
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import ProfileKind
from desktop_sync.domain.validation import ProfileInput, validate_profile

PARSER = build_parser()  # built once: the generated values are what varies
scope_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)


@settings(max_examples=1500, deadline=None)
@given(st.lists(scope_text, min_size=1, max_size=6), st.text(max_size=60), st.sampled_from(["imap", "pop3"]))
def test_any_scopes_and_client_id_give_a_profile_or_a_named_error(scopes: list[str], client_id: str, kind: str) -> None:
    # argparse reads a value starting with "-" as an option: the command line's own usage error
    assume(not any(s.startswith("-") for s in scopes) and not client_id.startswith("-"))
    typed = ["--preset", "microsoft365", "--client-id", client_id, "--scopes", *scopes]
    args = PARSER.parse_args(["profile", "add", "M", "--kind", kind, *typed])
    data = _edited(ProfileInput(name="M", kind=ProfileKind(kind)), args)
    assert data.scopes == split_scopes(scopes)
    assert len(set(data.scopes)) == len(data.scopes) and all(s and not any(c.isspace() for c in s) for s in data.scopes)
    try:
        profile = validate_profile(data)
    except ValidationError as refused:
        assert set(refused.errors) <= {"client_id", "scopes"}
        return
    assert profile.oauth is not None and profile.oauth.scopes == data.scopes
    assert profile.incoming.host == "outlook.office365.com"


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=1, max_value=65535), st.sampled_from(["tls", "starttls"]))
def test_typed_flags_win_over_the_preset(port: int, security: str) -> None:
    args = PARSER.parse_args(["profile", "add", "G", "--kind", "imap", "--preset", "google", "--client-id", "g",
                  "--outgoing-port", str(port), "--incoming-security", security])  # fmt: skip
    profile = validate_profile(_edited(ProfileInput(name="G", kind=ProfileKind.IMAP), args))
    assert profile.outgoing is not None and profile.outgoing.port == port
    assert profile.incoming.security.value == security and profile.incoming.host == "imap.gmail.com"
