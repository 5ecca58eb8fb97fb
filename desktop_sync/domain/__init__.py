"""Pure domain: value objects, enums, the error taxonomy and policies. Imports only the stdlib."""
