from coopgov.cli import main

raise SystemExit(main())
