"""The writers of an export that run after the GeoPackage, on two threads.

The shapefiles and GeoJSON are GDAL translations of the GeoPackage: GDAL's Python bindings
release the GIL for the whole ``VectorTranslate`` call, so a second thread writes them while
this one writes the tables, KML and CSV (Python work) — the two cores of a small machine
each have a share (at country scale: ~30 s of GDAL work beside ~30 s of Python work).

Each writer writes its own files and only reads the GeoPackage, so the files written are
the same as one after the other — but for a layer's .prj, which its shapefile and its CSV
both write: the caller writes the CSV's again once both are done (the one kept before). A step is never
interrupted: a cancel, or a failure on either thread, lets the second thread finish its
current step and start no other, and is raised here once it has stopped (the caller then
removes the folder: nothing is left half written).
"""

from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Callable, Sequence
from concurrent import futures

Step = Callable[[], object]

_POLL = 0.1
"""Seconds between two checks (cancel, progress) while this thread waits for the other."""


def run_beside(foreground: Sequence[Step], background: Sequence[Step], check: Callable[[int], None]) -> None:
    """Run the ``background`` steps in order on a second thread while the ``foreground`` steps
    run here in order; once these are done, this thread also takes the next background step
    not yet started (they release the GIL: both threads can run one). ``check(done)``
    (``done``: steps finished so far, on either thread) is called here before each step and
    while waiting for the second thread; it may raise (a cancel) to stop both. The first error
    (here, else there) is raised once the second thread has stopped."""
    waiting = collections.deque(background)
    stop = threading.Event()
    done = [0, 0]  # steps finished here, there (each written by one thread only)

    def take() -> Step | None:
        try:
            return None if stop.is_set() else waiting.popleft()  # popleft is atomic
        except IndexError:
            return None

    def behind() -> None:
        while (step := take()) is not None:
            try:
                step()
            except BaseException:
                stop.set()  # this thread takes no other step either
                raise
            done[1] += 1

    with futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitewatch-export") as pool:
        future = pool.submit(behind) if background else None
        try:
            for step in itertools.chain(foreground, iter(take, None)):
                check(sum(done))
                if future is not None and future.done():
                    future.result()
                step()
                done[0] += 1
            if future is not None:
                _wait(future, lambda: check(sum(done)))
        except BaseException:
            stop.set()
            if future is not None:
                future.exception()  # wait for its current step; this thread's error is the one raised
            raise


def _wait(future: futures.Future[None], check: Callable[[], None]) -> None:
    while True:
        check()
        try:
            future.result(timeout=_POLL)
        except futures.TimeoutError:
            continue
        return
