"""Background jobs: long work (large imports, big counts) runs outside the web request.

A job is a row in the database; :func:`enqueue` adds one.  ``coopgov manage run_jobs`` is the worker
(run beside the web server in production); with ``COOPGOV_JOBS_IN_THREAD`` on (the default for
development) a daemon thread in the web process picks the job up right after the request commits.
Pages show a job's progress from its row.
"""
