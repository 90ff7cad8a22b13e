"""Members: people, their memberships of organisations, and the append-only membership log."""
