"""Markdown helpers for the generated README: table cells and inline code."""

from __future__ import annotations


def cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell."""
    if text is None or text == "":
        return "n/a"
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
    return "<br>".join(escaped.splitlines()) or "n/a"


def code(text: str) -> str:
    """An inline code span that holds `text` whatever backticks it contains."""
    fence = "`"
    while fence in text:
        fence += "`"
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"
