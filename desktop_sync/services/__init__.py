"""Use cases shared by the GUI and the CLI. No Qt, and no SQLAlchemy session leaks out."""
