"""Where the templates are: inside the installed package, or beside it in a checkout.

The wheel carries the repository's top-level `templates/` as `generator/templates/`
(see pyproject.toml); an editable install or a source checkout reads `templates/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the `generator` package


def templates_dir() -> Path:
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"gluegen's templates are missing: looked in {_PACKAGE / 'templates'} and {_PACKAGE.parent / 'templates'}")
