"""Issue 23, done when: every `danvan` command of the README's command blocks runs on a fresh demo database from
another folder, with the exit code it should have, and neither its help nor its errors speak English.

The commands run as a newcomer runs them: `.venv/bin/danvan` (this interpreter's `danvan.cli`) in a new
process, the current folder an empty temporary one, the data in `DANVAN_VAR_DIR`. Commands that would start a
server are asked for their help instead."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# Words no Vietnamese help or error contains: argparse's and Django's English, Python's tracebacks and errno texts.
ENGLISH = ["usage:", "error:", "show this help", "optional arguments", "positional arguments", "options:",
           "Traceback (most recent", "No such file", "Permission denied", "Unknown command", "CommandError", "invalid choice",
           "required:", "Type '", "the following arguments"]
SERVERS = {"demo", "runserver", "db_worker", "pdf-server", "loadtest", "check-replica"}


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].split(" # ")[0].strip().removesuffix("&").strip()
            if line.startswith((".venv/bin/danvan", "danvan ")):
                commands.append(shlex.split(line)[1:])
    return commands


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if w.lower() in text.lower()]


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory):
    """Run `danvan ARGS` from an empty folder on a demo database of its own (SQLite in DANVAN_VAR_DIR)."""
    home = tmp_path_factory.mktemp("newcomer")
    cwd, var = home / "somewhere-else", home / "data"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_") and k != "DJANGO_SETTINGS_MODULE"}
    env |= {"DANVAN_VAR_DIR": str(var), "DANVAN_DATABASE_URL": f"sqlite:///{var}/danvan.sqlite3",
            "DANVAN_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "COLUMNS": "100"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "danvan.cli", *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=600)

    run.cwd = cwd  # type: ignore[attr-defined]
    loaded = run("loaddemo")
    assert loaded.returncode == 0, loaded.stderr
    return run


# The commands run on a SQLite demo database of their own, whatever the suite's database: once per CI run.
pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="runs its own SQLite demo (the SQLite leg)")


def test_the_readme_commands_run_from_another_folder(newcomer):
    commands = readme_commands()
    names = {c[0] for c in commands if c}
    assert {"loaddemo", "round", "movement", "search", "export", "import-forms", "report"} <= names
    assert commands[0] == ["loaddemo"] or ["loaddemo"] in commands
    failures = []
    for args in sorted(commands, key=lambda c: c != ["loaddemo"]):  # the demo data first
        if args[0] in SERVERS:
            args = [args[0], "--help"]
        done = newcomer(*args)
        if done.returncode != 0 or english_in(done.stderr):
            failures.append(f"danvan {' '.join(args)} → {done.returncode}: {done.stderr[-500:]}")
    assert not failures, "\n".join(failures)
    assert not (newcomer.cwd / "var").exists(), "nothing of the project's data lands in the current folder"
    assert (newcomer.cwd / "phu-luc-2022.xlsx").stat().st_size > 0


def _run_in_process(args: list[str], capsys) -> tuple[int, str]:
    """`danvan ARGS` as the command line runs it (argparse prints and exits), in this process: help and
    argparse errors need no database, and ~60 subprocesses would cost minutes."""
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()[args[0]], args[0])
    code = 0
    try:
        command.run_from_argv(["danvan", *args])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out = capsys.readouterr()
    return code, out.out + out.err


def test_help_and_errors_of_every_command_are_vietnamese(newcomer, capsys):
    from danvan.foundation.commands_doc import options_of, own_commands

    problems = []
    out = newcomer("help")
    assert out.returncode == 0 and "Lệnh của danvan" in out.stdout
    problems += [f"danvan help: {w}" for w in english_in(out.stdout + out.stderr)]
    for name, cmd in own_commands().items():
        subs = [s for s in options_of(cmd.create_parser("danvan", name)) if s]
        for args in [[name, "--help"], *([name, s, "--help"] for s in subs)]:
            code, text = _run_in_process(args, capsys)
            if code != 0 or "Cách dùng: danvan" not in text:
                problems.append(f"danvan {' '.join(args)} exits {code}: {text[:200]}")
            problems += [f"danvan {' '.join(args)}: {w}" for w in english_in(text)]
        code, text = _run_in_process([name, *subs[:1], "--khong-co-tuy-chon-nay"], capsys)
        if code != 2 or ": lỗi: " not in text:
            problems.append(f"danvan {name} with an unknown option: {code} {text[-300:]}")
        problems += [f"danvan {name} (unknown option): {w}" for w in english_in(text)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("args, says", [
    (["foo"], "không có lệnh"),
    (["report", "annual", "--unit", "KHONG-CO", "--year", "2022", "-o", "x.xlsx"], "Không có đơn vị mã KHONG-CO"),
    (["import-tree", "khong-co.xlsx"], "Không có tệp"),
    (["import-forms", "khong-co.docx", "--unit", "SKHCN-QNG", "--year", "2023"], "không có tệp hoặc thư mục này"),
    (["round", "status", "abc"], "không phải số nguyên"),
    (["export", "consolidated", "--unit", "SKHCN-QNG"], "thiếu tham số bắt buộc"),
    (["report", "annual", "--unit", "SKHCN-QNG", "--year", "2022", "--format", "odt", "-o", "x"],
     "không hợp lệ"),
    (["search", "tiet kiem", "--as", "khong.co"], "Không có người dùng"),
])
def test_a_user_error_is_one_vietnamese_line(newcomer, args, says):
    done = newcomer(*args)
    text = done.stdout + done.stderr
    assert done.returncode != 0 and says in text, text
    assert not english_in(text), text


def test_an_unmigrated_database_is_told_in_vietnamese(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env |= {"DANVAN_VAR_DIR": str(tmp_path), "DANVAN_DATABASE_URL": f"sqlite:///{tmp_path}/new.sqlite3"}
    done = subprocess.run([sys.executable, "-m", "danvan.cli", "round", "list"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Cơ sở dữ liệu chưa được tạo" in done.stderr and not english_in(done.stderr)
    # generate migrates first: a new database works at once.
    done = subprocess.run([sys.executable, "-m", "danvan.cli", "generate", "--provinces", "1", "--exemplars", "5",
                           "--districts", "1", "--communes", "1"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and "Đã sinh" in done.stdout, done.stderr
    done = subprocess.run([sys.executable, "-m", "danvan.cli", "search", "tiet kiem", "--json"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr  # no "admin" in a generated database: the operator sees everything
