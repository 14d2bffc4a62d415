"""Worker processes for the imports: parsing in as many processes as there are cores, while the
calling process writes (SQLite has one writer).

>>> from concurrent.futures import ThreadPoolExecutor
>>> with ThreadPoolExecutor(2) as pool:
...     list(bounded_map(pool, pow, [(2, 3), (3, 2), (10, 2)], ahead=2))
[8, 9, 100]
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor


def pool(workers: int, initializer=None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes (no fork of a process that may hold threads or an
    open registry) that end when the process that made them dies (an import killed with kill -9
    left its workers waiting for work forever)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(os.getpid(), initializer, initargs))


def _start(parent: int, initializer, initargs: tuple) -> None:
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _watch(parent: int) -> None:
    """End this worker once its parent is gone (it is then a child of another process)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def count(workers: int | None) -> int:
    """The number of worker processes: ``workers``, else one a core."""
    return (os.cpu_count() or 1) if workers is None else workers


def bounded_map(executor, fn, jobs, *, ahead: int):
    """``fn(*job)`` for each job, results in order, with at most ``ahead`` jobs submitted and not
    yet taken: a writer slower than its workers does not gather every result in memory
    (``Executor.map`` submits everything at once: gigabytes of parsed texts at national size)."""
    pending: collections.deque = collections.deque()
    for job in jobs:
        pending.append(executor.submit(fn, *job))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
