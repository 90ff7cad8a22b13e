"""Build the optional C kernel of the budgeting engine (everything else is in pyproject.toml).

``coopgov.budgeting._cmes`` speeds up the add1 completion of the Method of Equal Shares.  It is
optional: without a C compiler the build skips it and the pure-Python engine is used instead
(same outcomes, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "coopgov.budgeting._cmes",
            sources=["src/coopgov/budgeting/_cmes.c"],
            extra_compile_args=["-O2", "-std=c99"],
            optional=True,
        )
    ]
)
