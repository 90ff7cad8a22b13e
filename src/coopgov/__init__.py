"""coopgov: software for co-operatively owned and run public services.

The computation cores (``coopgov.counting``, ``coopgov.budgeting``, ``coopgov.stats``,
``coopgov.ownership``) are plain Python and never import Django; the web platform lives in
``coopgov.web`` (settings, URLs) and ``coopgov.apps`` (Django apps that wrap the cores).
"""

__version__ = "0.1.0"
