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
        self._embeddings: dict[int, dict[str, Any]] = {}
        """Answered questions' embeddings by router (a retrained one embeds anew)."""
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
            if cached is not None:
                self._embeddings.pop(id(cached[1]), None)
            self._routers[key] = (stamp, router)
            return router

    def route_now(self, course: Course, text: str) -> dict[str, Any]:
        """Route ``text`` in this thread: the route as ``Route.to_dict()``."""
        return self.router(course).route(text).to_dict()

    async def route(self, course: Course, text: str) -> dict[str, Any]:
        """Route ``text`` in the pool (see :meth:`route_now`)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.route_now, course, text)

    def similar_now(
        self, course: Course, text: str, candidates: list[str], limit: int
    ) -> tuple[list[tuple[int, float]], str]:
        """The candidates most like ``text`` in this thread: ``(index, score)`` most similar
        first, and the method (the router's encoder embeddings, else TF-IDF)."""
        import numpy as np

        from kit.classify.errors import RouterError
        from kit.classify.similar import encoder_of, rank_similar

        try:
            router = self.router(course)
        except RouterError:
            embed = None
        else:
            embed = encoder_of(router.classifier)
        rows = None
        if embed is not None and candidates:
            cache = self._embeddings.setdefault(id(router), {})
            missing = [t for t in dict.fromkeys(candidates) if t not in cache]
            if missing:
                cache.update(zip(missing, np.asarray(embed(missing)), strict=True))
            rows = np.stack([cache[t] for t in candidates])
        found, method = rank_similar(text, candidates, limit, embed=embed, embeddings=rows)
        return [(m.index, m.score) for m in found], method

    async def similar(
        self, course: Course, text: str, candidates: list[str], limit: int
    ) -> tuple[list[tuple[int, float]], str]:
        """:meth:`similar_now` in the pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, self.similar_now, course, text, candidates, limit
        )

    def close(self) -> None:
        """Stop the threads and drop the routers."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self._routers.clear()
        self._embeddings.clear()
