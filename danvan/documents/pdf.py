"""PDF through LibreOffice headless, for previews and signed-copy archives.

Two ways, the same result:

- **A LibreOffice kept running** (`danvan pdf-server`, the `unoserver` package): when
  ``DANVAN_PDF_SERVER`` (``host:port``) names one, a conversion is one XML-RPC call to a warm
  LibreOffice, well under a second for the consolidated registration of seed 001 instead of
  several seconds for a cold start. If it does not answer, the one-shot way below is used.
- **One process per file**: each conversion gets its own temporary directory and LibreOffice
  profile (two soffice processes sharing a profile block or fail, and requests run in parallel).

Either way the profile is seeded with a font replacement table: the documents ask for
"Times New Roman", which LibreOffice would replace by Liberation Serif, a font that lacks some
letters ("⁰" in "25⁰C" of seed 001, and "ế", "ủ" in its Debian 1.x build); the letters it lacks fall
back to DejaVu, so one line mixes two faces. Tinos (Debian `fonts-croscore`), metric-compatible with
Times New Roman and covering all of Vietnamese, replaces it always, and Arimo / Cousine replace Arial /
Courier New. `pdf_fonts()` reads back which fonts a PDF embeds.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from danvan.foundation import soffice as runner

BINARIES = runner.BINARIES
DEFAULT_TIMEOUT = 120
UNAVAILABLE_MESSAGE = "Máy chủ chưa cài LibreOffice nên không tạo được PDF; hãy tải bản Word."
FAILED_MESSAGE = "Không chuyển được tài liệu sang PDF; hãy tải bản Word."


class PdfUnavailable(RuntimeError):
    """LibreOffice is missing (or broke): the caller should offer the DOCX/XLSX."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)
        self.message = message


# The documents' fonts and their metric-compatible replacements with full Vietnamese coverage.
FONT_REPLACEMENTS = {"Times New Roman": "Tinos", "Arial": "Arimo", "Courier New": "Cousine"}
SERVER_ENV = "DANVAN_PDF_SERVER"
# A document sent as bytes has no file name to guess its type from: the server is told the import filter.
# Only Word goes to the kept LibreOffice (every letter, the 2-second target): Debian's LibreOffice 7.4 under
# unoserver fails to load a spreadsheet sent as bytes and its bridge then dies, so XLSX is converted once.
IMPORT_FILTERS = {"docx": "MS Word 2007 XML"}


def profile_settings() -> str:
    """The LibreOffice user settings every conversion runs with: the font replacement table."""
    pairs = "".join(
        f'<node oor:name="danvan{i}" oor:op="replace">'
        '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{asked}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{used}</value></prop></node>'
        for i, (asked, used) in enumerate(FONT_REPLACEMENTS.items())
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>\n'
        f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">{pairs}</item>\n'
        "</oor:items>\n"
    )


def seed_profile(profile: Path) -> None:
    """Write the settings into a LibreOffice profile folder before LibreOffice first opens it."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    target = user / "registrymodifications.xcu"
    if not target.exists():
        target.write_text(profile_settings(), encoding="utf-8")


def find_soffice() -> str | None:
    return runner.find()


def pdf_available() -> bool:
    return find_soffice() is not None


def to_pdf(data: bytes, suffix: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Convert DOCX/XLSX bytes (``suffix`` "docx"/".xlsx") to PDF bytes: through the kept LibreOffice
    of ``DANVAN_PDF_SERVER`` when it answers, else with a LibreOffice of its own."""
    server = os.environ.get(SERVER_ENV, "").strip()
    if server and suffix.lstrip(".").lower() in IMPORT_FILTERS:
        converted = convert_on_server(data, suffix, server, timeout=timeout)
        if converted is not None:
            return converted
    return convert_once(data, suffix, timeout=timeout)


def split_address(server: str) -> tuple[str, int] | None:
    """"host:port" (or ":port") → (host, port), the host 127.0.0.1 when left out; None when it is not one."""
    host, _, port = server.strip().rpartition(":")
    return (host or "127.0.0.1", int(port)) if port.isdigit() else None


def convert_on_server(data: bytes, suffix: str, server: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes | None:
    """One conversion on a running `danvan pdf-server`; None when it does not answer (the caller
    then converts by itself), PdfUnavailable when it answered but could not convert the file."""
    import xmlrpc.client

    address = split_address(server)
    if address is None:
        return None
    try:
        from unoserver.client import UnoClient
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    logging.getLogger("unoserver").setLevel(logging.WARNING)  # its "Connecting." on every call is noise
    client = UnoClient(server=address[0], port=str(address[1]), host_location="remote")
    # The server's own --conversion-timeout ends a conversion that hangs (it restarts LibreOffice).
    try:
        result = client.convert(indata=data, convert_to="pdf",
                                infiltername=IMPORT_FILTERS[suffix.lstrip(".").lower()])
    except (ConnectionError, OSError):
        return None
    except xmlrpc.client.Fault as error:
        raise PdfUnavailable(FAILED_MESSAGE) from error
    if not result:
        raise PdfUnavailable(FAILED_MESSAGE)
    return bytes(result)


def pdf_fonts(pdf: bytes) -> list[str]:
    """The font names a PDF embeds (subset prefixes removed), read from its font descriptors."""
    names = re.findall(rb"/FontName\s*/([A-Za-z0-9+_.-]+)", pdf)
    if not names:  # object streams: the descriptors are compressed
        import zlib

        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
            try:
                names += re.findall(rb"/FontName\s*/([A-Za-z0-9+_.-]+)", zlib.decompress(stream))
            except zlib.error:
                continue
    return sorted({name.decode().split("+", 1)[-1] for name in names})


def convert_once(data: bytes, suffix: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """A LibreOffice started for this one file, in a fresh profile (the slow way, always there)."""
    binary = find_soffice()
    if binary is None:
        raise PdfUnavailable()
    suffix = "." + suffix.lstrip(".").lower()
    with tempfile.TemporaryDirectory(prefix="danvan-pdf-") as tmp:
        work = Path(tmp)
        source = work / f"document{suffix}"
        source.write_bytes(data)
        seed_profile(work / "profile")
        command = [
            binary,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        _run(command, timeout=timeout, home=tmp)
        target = work / "out" / "document.pdf"
        if not target.exists():
            raise PdfUnavailable(FAILED_MESSAGE)
        return target.read_bytes()


def _run(command: list[str], *, timeout: float, home: str) -> None:
    """Through `core/soffice.run`: its own process group, killed whole on timeout or when this process dies."""
    try:
        runner.run(command, timeout=timeout, env={**os.environ, "HOME": home})
    except runner.Timeout as error:
        raise PdfUnavailable(FAILED_MESSAGE) from error


# --- the kept LibreOffice (`danvan pdf-server`) ------------------------------------------------------

UNO_PYTHON_ENV = "DANVAN_UNO_PYTHON"
NO_UNO_MESSAGE = ("Không tìm thấy Python của LibreOffice (có mô-đun uno; trên Debian: gói python3-uno) "
                  "nên không chạy được LibreOffice thường trực; PDF vẫn được tạo theo cách chậm.")


def find_uno_python() -> str | None:
    """The Python that can `import uno`: ``DANVAN_UNO_PYTHON``, LibreOffice's own, or the system's."""
    candidates = [os.environ.get(UNO_PYTHON_ENV, "")]
    soffice = find_soffice()
    if soffice:
        candidates.append(str(Path(os.path.realpath(soffice)).parent / "python"))
    candidates += ["/usr/bin/python3", "python3"]
    for candidate in filter(None, candidates):
        found = shutil.which(candidate)
        if not found:
            continue
        try:
            ok = subprocess.run([found, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return found
    return None


def _unoserver_path(var_dir: Path) -> Path:
    """A folder holding only the pure-Python `unoserver` package (and its metadata), for the uno Python:
    putting this environment's whole site-packages on another interpreter's path could shadow its own."""
    import importlib.metadata

    import unoserver

    target = var_dir / "unoserver-path"
    dist = importlib.metadata.distribution("unoserver")
    stamp = target / f".{dist.version}"
    if not stamp.exists():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(Path(unoserver.__file__).parent, target / "unoserver",
                        ignore=shutil.ignore_patterns("__pycache__"))
        info = Path(str(dist.locate_file(""))) / f"unoserver-{dist.version}.dist-info"
        if info.is_dir():
            shutil.copytree(info, target / info.name)
        stamp.touch()
    return target


def server_command(host: str, port: int, var_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> tuple[list[str], dict]:
    """The command line and environment of a kept LibreOffice listening on ``host:port``."""
    python = find_uno_python()
    soffice = find_soffice()
    if python is None or soffice is None:
        raise PdfUnavailable(NO_UNO_MESSAGE if soffice else UNAVAILABLE_MESSAGE)
    profile = var_dir / f"libreoffice-{port}"
    seed_profile(profile)
    command = [python, "-m", "unoserver.server", "--interface", host, "--port", str(port),
               "--uno-interface", "127.0.0.1", "--uno-port", str(port + 1), "--executable", soffice,
               "--user-installation", str(profile), "--conversion-timeout", str(int(timeout)), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(_unoserver_path(var_dir)), "HOME": str(profile)}
    return command, env


def free_port() -> int:
    """A loopback port that is free together with the next one (the server's LibreOffice listens there)."""
    import socket

    for _ in range(50):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise PdfUnavailable(FAILED_MESSAGE)


def start_server(host: str, port: int, var_dir: Path, *, wait: float = 60.0) -> runner.Spawned:
    """Start a kept LibreOffice in its own process group (`core/soffice.spawn`: gone with this process, however it
    ends) and return once it answers."""
    import time

    command, env = server_command(host, port, var_dir)
    process = runner.spawn(command, env=env)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PdfUnavailable(FAILED_MESSAGE)
        if server_answers(f"{host}:{port}"):
            return process
        time.sleep(0.3)
    stop_server(process)
    raise PdfUnavailable(FAILED_MESSAGE)


def server_answers(server: str) -> bool:
    import xmlrpc.client

    address = split_address(server)
    if address is None:
        return False
    try:
        xmlrpc.client.ServerProxy(f"http://{address[0]}:{address[1]}", allow_none=True).info()
    except (OSError, xmlrpc.client.Error):
        return False
    return True


def stop_server(process: runner.Spawned) -> None:
    """Stop the server and the LibreOffice it started (the whole process group)."""
    process.stop()
