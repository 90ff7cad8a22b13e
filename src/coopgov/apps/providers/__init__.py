"""The public register of care providers by ownership model (issue 7, platform part).

Pages (``/providers/``): the directory of CQC locations with ownership model and ratings
(search by name, place or postcode area; filters by model, service type, region, rating and
provider flags; CSV/JSON downloads), a provider's page with the evidence and rule that
classified it, conflicts, issues and officers' changes, and the comparison for commissioners
and the public (shares Good/Outstanding and Inadequate with Wilson intervals, small numbers
suppressed, inline SVG charts, ordinal-logit odds ratios; every table as CSV/JSON, charts as
SVG/PNG). Regulators, commissioners and administrators can override a classification with a
reason (audited); regulators and administrators import the register (upload page → background
job, or ``coopgov manage import_providers FILE_OR_DIR…``). JSON API at ``/api/providers/``.

The numbers come from the plain-Python core :mod:`coopgov.ownership`; this app stores its output
(:mod:`.models`), writes it all-or-nothing (:mod:`.services`) and shows it (:mod:`.views`,
:mod:`.comparison`).
"""
