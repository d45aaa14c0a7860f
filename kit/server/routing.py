"""The courses' routers, loaded once and kept warm, run off the server's event loop.

A router is loaded on first use and again when it is trained anew (its router.json changes).
Routing and loading run in a small thread pool, so a question being classified never holds up
the server's other requests.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit.course import Course

if TYPE_CHECKING:
    from kit.classify.router import Router


class RouterPool:
    """Warm routers, one per course.

    Parameters
    ----------
    threads:
        Threads that route (and load routers); questions beyond them wait their turn.
    """

    def __init__(self, threads: int = 1) -> None:
        self.executor = ThreadPoolExecutor(max(1, threads), thread_name_prefix="kit-router")
        self._routers: dict[Path, tuple[float, Router]] = {}
        self._lock = threading.Lock()

    def router(self, course: Course) -> Router:
        """The course's router (loading it when new or retrained); blocking.

        Raises
        ------
        kit.classify.RouterNotTrainedError, kit.classify.ModelFormatError
            No router was trained, or it cannot be read.
        """
        from kit.classify.router import SETTINGS_FILE, load_router, router_dir

        settings = router_dir(course) / SETTINGS_FILE
        try:
            stamp = settings.stat().st_mtime
        except OSError:
            stamp = -1.0  # load_router says what is missing
        key = course.root.resolve()
        with self._lock:
            cached = self._routers.get(key)
            if cached is not None and cached[0] == stamp and cached[1].course is course:
                return cached[1]
            router = load_router(course)
            self._routers[key] = (stamp, router)
            return router

    def route_now(self, course: Course, text: str) -> dict[str, Any]:
        """Route ``text`` in this thread: the route as ``Route.to_dict()``."""
        return self.router(course).route(text).to_dict()

    async def route(self, course: Course, text: str) -> dict[str, Any]:
        """Route ``text`` in the pool (see :meth:`route_now`)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.route_now, course, text)

    def close(self) -> None:
        """Stop the threads and drop the routers."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self._routers.clear()
