"""``python -m kit``."""

from __future__ import annotations

from kit.cli import main

main()
