"""The append-only audit log of what officers do."""
