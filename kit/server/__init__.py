"""The jupyter_server extension (:class:`kit.server.app.KitServer`): the REST API under
``/kit/api/v1`` that the JupyterLab panel calls. Enabled on install
(``jupyter server extension list`` shows ``kit.server``)."""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from kit.server.app import KitServer

    return [{"module": "kit.server", "app": KitServer}]
