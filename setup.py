"""Build the optional C parts of the budgeting engine (everything else is in pyproject.toml).

``coopgov.budgeting._cmes`` runs the Method of Equal Shares in floating point (plain runs and the
add1 completion); ``coopgov.budgeting._cvotes`` reads pabulib VOTES sections and builds utility
tables.  Both are optional: without a C compiler the build skips them and the pure-Python code is
used instead (same outcomes, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "coopgov.budgeting._cmes",
            sources=["src/coopgov/budgeting/_cmes.c"],
            extra_compile_args=["-O2", "-std=c99"],
            optional=True,
        ),
        Extension(
            "coopgov.budgeting._cvotes",
            sources=["src/coopgov/budgeting/_cvotes.c"],
            extra_compile_args=["-O2", "-std=c99"],
            optional=True,
        ),
    ]
)
