"""The ``coopgov`` command line.

Each sub-command belongs to one computation core and is imported lazily, so that
``coopgov count`` never loads Django or the budgeting code::

    coopgov count FILE --method scottish-stv      # election counts (coopgov.counting)
    coopgov allocate FILE.pb --rule mes            # participatory budgets (coopgov.budgeting)
    coopgov ownership import|compare ...           # care-provider ownership (coopgov.ownership)
    coopgov manage ...                             # Django management commands for the platform
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

# sub-command -> (module, one-line help)
_COMMANDS: dict[str, tuple[str, str]] = {
    "count": ("coopgov.counting.cli", "count an election (FPTP, Scottish STV, ERS97, NHS MER, Meek)"),
    "allocate": ("coopgov.budgeting.cli", "compute a participatory-budgeting outcome"),
    "ownership": ("coopgov.ownership.cli", "import care registers and compare by ownership model"),
    "manage": ("coopgov.web.manage", "run a Django management command for the platform"),
}


def _usage() -> str:
    lines = ["usage: coopgov COMMAND [ARGS...]", "", "commands:"]
    for name, (_, text) in _COMMANDS.items():
        lines.append(f"  {name:<10} {text}")
    lines.append("")
    lines.append("Run 'coopgov COMMAND --help' for the options of a command.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    if args[0] == "--version":
        from coopgov import __version__

        print(f"coopgov {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in _COMMANDS:
        print(f"coopgov: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(_COMMANDS[name][0])
    entry: Callable[[list[str]], int] = module.main
    return entry(rest)
