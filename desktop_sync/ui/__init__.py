"""The PySide6 administration application. Talks to services and listens to engine events only."""
