"""`python -m generator` and the `gluegen` command: the result cache's fast path first (see
generator/cache.py), then the CLI, loaded so that Ctrl-C while it loads ends quietly (exit 130)
instead of with a traceback."""

from __future__ import annotations

import gc
import os
import sys


def run() -> None:
    # One short command, then the process exits: Python's cyclic GC would only walk the hundreds of
    # classes and functions the imports below create, over and over (the CLI pauses it for the
    # command itself too; see generator.cli.gc_paused).
    gc.disable()
    try:
        from generator.cache import answer

        code = answer(sys.argv[1:])  # `check` or `generate` that the result cache can answer
        if code is not None:
            raise SystemExit(code)
        # gluegen's models use no pydantic plugin: skip their discovery (unless the user set it), a scan of every installed
        # distribution's entry points (and the same models whatever plugins are installed)
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        from generator.cli import main
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    raise SystemExit(main())


if __name__ == "__main__":
    run()
