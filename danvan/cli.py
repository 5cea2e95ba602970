"""The `danvan` console command: Django's manage.py with our settings, and a Vietnamese list of commands."""

import os
import sys

OWN = "danvan."


def _own_commands() -> dict[str, str]:
    """danvan's own commands (its apps' management/commands) → their app."""
    from django.core.management import get_commands

    return {name: app for name, app in sorted(get_commands().items()) if app.startswith(OWN)}


def _first_line(text: str, width: int = 110) -> str:
    line = (text or "").split(". ")[0].rstrip(".")
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def main_help() -> str:
    """What `danvan`, `danvan help` and `danvan --help` print: every danvan command with its first line of help."""
    from django.core.management import get_commands, load_command_class

    lines = ["Cách dùng: danvan LỆNH [tùy chọn]", "",
             "Hướng dẫn của từng lệnh: danvan LỆNH --help (hoặc danvan help LỆNH). Mọi lệnh và tùy chọn: "
             "docs/COMMANDS.md.", "", "Lệnh của danvan:"]
    for name, app in _own_commands().items():
        lines.append(f"  {name:<14} {_first_line(load_command_class(app, name).help)}")
    others = sorted(name for name, app in get_commands().items() if not app.startswith(OWN))
    lines += ["", "Lệnh của Django (hướng dẫn bằng tiếng Anh): " + ", ".join(others)]
    return "\n".join(lines) + "\n"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
    from django.core.management import execute_from_command_line, get_commands
    from multidb.pinning import pin_this_thread

    # With a read replica configured, commands and the task worker read what they write: the primary.
    # (Web requests run in other threads, routed per request by the pinning middleware.)
    pin_this_thread()

    import django

    django.setup()  # before get_commands(), which otherwise remembers Django's own commands only
    argv = sys.argv
    if len(argv) < 2 or argv[1:] in (["help"], ["-h"], ["--help"]):
        sys.stdout.write(main_help())
        return
    name = argv[2] if argv[1] == "help" and len(argv) > 2 else argv[1]
    if not name.startswith("-") and name not in get_commands():
        sys.stderr.write(f"Lỗi: không có lệnh “{name}”. Xem danh sách lệnh: danvan help\n")
        sys.exit(1)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
