"""Governing bodies, their seats and office holders, and the composition rules they must meet.

The rule checks themselves live in :mod:`coopgov.apps.governance.rules`, plain Python with no
Django import, so they can be tested and reused on their own.
"""
