"""`python -m generator` runs the gluegen CLI."""

from generator.cli import main

raise SystemExit(main())
