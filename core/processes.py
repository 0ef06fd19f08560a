"""Whether the process that left a hidden work file or folder behind is still running: what a
killed write leaves (named with its process id) is removed by the next run only once its
process is gone."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """True while process ``pid`` exists (another user's process included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True
