"""`python -m generator` and the `gluegen` command: the CLI, loaded so that Ctrl-C
while it loads ends quietly (exit 130) instead of with a traceback."""

from __future__ import annotations


def run() -> None:
    try:
        from generator.cli import main
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    raise SystemExit(main())


if __name__ == "__main__":
    run()
