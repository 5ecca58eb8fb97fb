"""Desktop Sync: server-side synchronization between a CRM store and mail servers."""

from importlib.metadata import version

# One source of truth: the version in pyproject.toml, read from the installed package's metadata
# (an editable install, a wheel, or the bundle, which carries the metadata beside the code).
__version__ = version("desktop-sync")
