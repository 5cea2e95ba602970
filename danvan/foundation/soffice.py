"""The one way LibreOffice is started: found the same way everywhere, run in its own process group, never left behind.

- `find()` — ``DANVAN_SOFFICE`` when it names an executable, else ``soffice`` or ``libreoffice`` on the PATH.
- `spawn(command)` — starts the command in a new process group led by a *guard*: a small process that holds the read
  end of a pipe whose write end only this process has. When this process dies in any way, SIGKILL included, the
  pipe closes and the guard kills the whole group — so a killed worker or web process does not leave a LibreOffice
  (soffice.bin is a grandchild of the `soffice` script) running. `Spawned.stop()` ends it normally.
- `run(command, timeout=…)` — spawn and wait; on timeout, and on anything that interrupts the wait (Ctrl+C, the
  worker's SystemExit), the whole group is killed before the exception goes on.

Pure Python, no Django: used by `documents/pdf.py` (one-shot conversions and the kept `danvan pdf-server`) and
`intake/filetype.py` (legacy .doc/.xls converted before reading).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

ENV = "DANVAN_SOFFICE"
BINARIES = ("soffice", "libreoffice")

# The guard leads the process group the command joins; it ignores SIGTERM/SIGINT and waits for end of file on its
# pipe — the parent's death, however it dies — then kills its whole group (itself last: the signal reaches all).
_GUARD = (
    "import os, signal, sys\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "sys.stdout.write('r'); sys.stdout.flush()\n"
    "sys.stdin.buffer.read()\n"
    "os.killpg(0, signal.SIGKILL)\n"
)


class Timeout(RuntimeError):
    """LibreOffice did not finish in time; its whole process group was killed."""


def find() -> str | None:
    configured = os.environ.get(ENV, "").strip()
    if configured and shutil.which(configured):
        return shutil.which(configured)
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Spawned:
    """A command running in a process group of its own, killed with its whole group if this process dies.

    The group is led by the guard, started first: a signal that interrupts the start finds the group already there,
    and the group's id stays ours (the guard lives) until `kill()` ends it all."""

    def __init__(self, command: list[str], *, env: dict | None = None, cwd: str | None = None) -> None:
        self.command, self.env, self.cwd = command, env, cwd
        self.guard: subprocess.Popen | None = None
        self.process: subprocess.Popen | None = None
        self._write_end = -1

    def start(self) -> Spawned:
        read_end, self._write_end = os.pipe()
        try:
            self.guard = subprocess.Popen([sys.executable, "-I", "-c", _GUARD], stdin=read_end,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, process_group=0)
            os.close(read_end)
            read_end = -1
            self.guard.stdout.read(1)  # type: ignore[union-attr]  # its signal dispositions are set
            self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            process_group=self.guard.pid)
        except BaseException:
            self.kill()
            raise
        finally:
            if read_end >= 0:
                os.close(read_end)
        return self

    def _started(self) -> subprocess.Popen:
        if self.process is None:
            raise RuntimeError("not started")
        return self.process

    @property
    def pid(self) -> int:
        return self._started().pid

    def poll(self) -> int | None:
        return self._started().poll()

    def wait(self, timeout: float | None = None) -> int:
        return self._started().wait(timeout=timeout)

    @property
    def returncode(self) -> int | None:
        return self._started().returncode

    def kill(self) -> None:
        """SIGKILL the whole group (the command, all it started, the guard) and reap what is ours."""
        if self.guard is not None:
            kill_group(self.guard.pid)
        for proc in (self.process, self.guard):
            if proc is not None:
                proc.wait()
                if proc.stdout:
                    proc.stdout.close()
        if self._write_end >= 0:
            os.close(self._write_end)
            self._write_end = -1

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM the group (the guard ignores it), SIGKILL it after `grace` seconds."""
        if self.guard is not None and self.poll() is None:
            kill_group(self.guard.pid, signal.SIGTERM)
            try:
                self.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


def spawn(command: list[str], *, env: dict | None = None, cwd: str | None = None) -> Spawned:
    return Spawned(command, env=env, cwd=cwd).start()


def run(command: list[str], *, timeout: float, env: dict | None = None, cwd: str | None = None) -> int:
    """Run to the end and return the exit code; Timeout (group killed) after `timeout` seconds. Whatever interrupts
    the wait, the group is killed first — nothing it started outlives the call."""
    spawned = Spawned(command, env=env, cwd=cwd)  # nothing runs yet: an interrupt from here on reaches `finally`
    try:
        code = spawned.start().wait(timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise Timeout(f"LibreOffice chạy quá {timeout:g} giây nên đã bị dừng.") from error
    finally:
        spawned.kill()  # also the helpers a finished soffice may leave in its group
    return code
