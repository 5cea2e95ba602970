"""docs/COMMANDS.md, written from the commands' own parsers: every danvan command, subcommand and option with
its line of help. `python -m danvan.foundation.commands_doc` rewrites the file; a test checks it is up to date."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from django.core.management.base import BaseCommand

PATH = Path(__file__).resolve().parents[2] / "docs" / "COMMANDS.md"
BASE_OPTIONS = {"-h", "--help", "--version", "-v", "--verbosity", "--settings", "--pythonpath", "--traceback",
                "--no-color", "--force-color", "--skip-checks"}
HEADER = """# Lệnh `danvan`

Mọi lệnh của danvan và mọi tùy chọn, mỗi cái một dòng giải thích (viết ra từ chính các lệnh:
`python -m danvan.foundation.commands_doc`; một bài kiểm tra giữ tệp này đúng với mã nguồn). `danvan LỆNH --help` in cùng
nội dung. Mọi lệnh cũng nhận các tùy chọn chung: `-h/--help` (hướng dẫn), `-v/--verbosity 0..3`, `--traceback` (vết
lỗi cho lập trình viên), `--settings`, `--pythonpath`, `--no-color`, `--force-color`, `--version`. Các lệnh của Django
(`migrate`, `createsuperuser`, `runserver`, `db_worker`, …) giữ hướng dẫn của Django.
"""


def own_commands() -> dict[str, BaseCommand]:
    from django.core.management import get_commands, load_command_class

    return {name: load_command_class(app, name) for name, app in sorted(get_commands().items())
            if app.startswith("danvan.")}


def _usage(action: argparse.Action) -> str:
    if not action.option_strings:
        return str(action.metavar or action.dest)
    flags = "/".join(action.option_strings)
    if action.nargs == 0:
        return flags
    if action.choices and not action.metavar:
        return f"{flags} {'|'.join(map(str, action.choices))}"
    return f"{flags} {action.metavar or action.dest.upper()}"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _options(parser: argparse.ArgumentParser) -> list[str]:
    lines = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or set(action.option_strings) & BASE_OPTIONS:
            continue
        lines.append(f"- `{_usage(action)}` — {_one_line(action.help) or '(không có hướng dẫn)'}")
    return lines


def options_of(parser: argparse.ArgumentParser) -> dict[str, list[str]]:
    """Subcommand ("" for the command itself) → its option strings and positionals (what the test compares)."""
    out: dict[str, list[str]] = {"": []}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out[name] = [s for a in sub._actions if not set(a.option_strings) & BASE_OPTIONS
                             for s in (a.option_strings or [str(a.metavar or a.dest)])]
        elif not set(action.option_strings) & BASE_OPTIONS:
            out[""] += action.option_strings or [str(action.metavar or action.dest)]
    return out


def render() -> str:
    parts = [HEADER]
    for name, cmd in own_commands().items():
        parser = cmd.create_parser("danvan", name)
        parts.append(f"## `danvan {name}`\n\n{_one_line(cmd.help)}\n")
        lines = _options(parser)
        if lines:
            parts.append("\n".join(lines) + "\n")
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                continue
            helps = {c.dest: c.help for c in action._choices_actions}
            for sub_name, sub in action.choices.items():
                parts.append(f"### `danvan {name} {sub_name}`\n\n{_one_line(sub.description or helps.get(sub_name))}\n")
                sub_lines = _options(sub)
                if sub_lines:
                    parts.append("\n".join(sub_lines) + "\n")
    return "\n".join(parts)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
    import django

    django.setup()
    PATH.write_text(render(), encoding="utf-8")
    print(f"Đã ghi {PATH}.")


if __name__ == "__main__":
    main()
