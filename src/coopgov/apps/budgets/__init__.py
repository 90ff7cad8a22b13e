"""Participatory-budgeting processes: pot, ring-fenced areas, phases, ideas, review, voting codes,
ballots, results computed by :mod:`coopgov.budgeting`, delivery tracking.

Domain actions are the ``do_…`` functions in :mod:`.services`; views are thin.
"""
