"""Folder paths from parent links (domain/folders.py's folder_paths), as EWS and Graph list folders."""

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.domain.folders import INBOX, folder_paths


def test_paths_from_the_top_with_the_inbox_named_inbox() -> None:
    folders = {"root": ("Top of Information Store", None), "in": ("Boîte de réception", "root"),
               "cu": ("Customers", "in"), "ar": ("Archive", "root")}  # fmt: skip
    paths = folder_paths({k: v for k, v in folders.items() if k != "root"}, "in")
    assert paths == {"in": INBOX, "cu": "INBOX/Customers", "ar": "Archive"}


@settings(max_examples=1000, deadline=None)
@given(
    st.dictionaries(st.text(max_size=3), st.tuples(st.text(max_size=5), st.none() | st.text(max_size=3)), max_size=8)
)
def test_any_parent_links_give_a_path_for_each_folder_even_in_a_loop(
    folders: dict[str, tuple[str, str | None]],
) -> None:
    paths = folder_paths(folders, next(iter(folders), None))
    assert set(paths) == set(folders)
    for folder_id, path in paths.items():
        assert path.endswith(INBOX if folder_id == next(iter(folders)) else folders[folder_id][0])
