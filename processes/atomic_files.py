"""Writing a file whole: to a temporary file in the target's folder, then renamed onto the target.

Readers (another web worker, a job, a CLI run) never see a half-written file: until the rename they see the
old file or none, after it the new one, and two writers at once each leave a whole file. The temporary file
is in the target's folder because a rename is only atomic within one filesystem.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(target: Path, data: bytes, *, mode: int, prefix: str = ".", suffix: str = "",
                     times_ns: tuple[int, int] | None = None, overwrite: bool = True) -> None:
    """Write `data` to `target` in one step, the file having `mode`; the target's folder must exist.

    The mode is set before the rename because mkstemp makes files 0600: a file others must read (0640
    uploads, a 0644 catalog) is never visible with the wrong mode. `times_ns` (atime, mtime in ns, as
    os.utime's `ns`) is set before the rename too. `prefix`/`suffix` name the temporary file (a leading dot
    keeps it out of folder listings). With `overwrite=False` an existing target is kept and FileExistsError
    raised (a hard link, which fails when the name exists, instead of a rename, which replaces it).
    On any failure the temporary file is removed and the exception raised: nothing half-written is left.
    """
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=suffix)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        if times_ns is not None:
            os.utime(temporary, ns=times_ns)
        if overwrite:
            os.replace(temporary, target)
        else:
            os.link(temporary, target)
            temporary.unlink()
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
