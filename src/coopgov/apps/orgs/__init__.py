"""Organisations, their groupings, stakeholder classes and constituencies, and officer roles."""
