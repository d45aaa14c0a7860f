"""Mentor Kit: turn a folder of course notebooks into a mentoring programme.

The public API is small; each part lives in its own subpackage (:mod:`kit.course`, ...).
Importing :mod:`kit` stays cheap: heavy libraries load only when a part that needs them is used.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
