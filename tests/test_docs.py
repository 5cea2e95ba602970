"""The documentation a clone carries (issue 23 §3): links that stay inside the repository, every setting in
the README's table, every command and option in docs/COMMANDS.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# A path written as code that points outside the repository (`../shared/docs/DOMAIN.md`, /work/…).
OUTSIDE_CODE = re.compile(r"`(\.\./[^`]*|/work/[^`]*)`")


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)  # not inside code blocks
    return LINK.findall(text)


def test_every_relative_link_resolves_inside_the_repository():
    problems = []
    for doc in DOCS:
        for target in _links(doc):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # http(s), mailto, anchors
            resolved = (doc.parent / target.split("#")[0]).resolve()
            if not resolved.is_relative_to(ROOT):
                problems.append(f"{doc.name}: {target} leaves the repository")
            elif not resolved.exists():
                problems.append(f"{doc.name}: {target} does not exist")
        problems += [f"{doc.name}: {m} is outside the repository" for m in OUTSIDE_CODE.findall(doc.read_text())]
    assert not problems, problems


def test_the_readme_links_to_the_domain_and_its_seeds():
    links = _links(ROOT / "README.md")
    assert "docs/DOMAIN.md" in links and "docs/COMMANDS.md" in links
    seeds = {p.name for p in (ROOT / "tests/data/seeds").glob("*.txt")}
    assert len(seeds) == 4
    domain_links = {Path(t).name for t in _links(ROOT / "docs/DOMAIN.md")}
    assert seeds <= domain_links, "DOMAIN.md links every seed the tests read"


def _env_read_by_code() -> set[str]:
    """Every DANVAN_* environment variable the code reads (a quoted name: os.environ, env_bool, a constant)."""
    names: set[str] = set()
    for path in (ROOT / "danvan").rglob("*.py"):
        # (a setting read from django.conf.settings, getattr(settings, "DANVAN_…"), is no environment variable)
        names |= set(re.findall(r"(?<!settings, )[\"'](DANVAN_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    return names


def _settings_table() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Cấu hình (biến môi trường)", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `DANVAN_")]
    return {name for row in rows for name in re.findall(r"`(DANVAN_[A-Z0-9_]+)`", row.split("|")[1])}


def test_every_setting_is_in_the_readme_table_and_nothing_else():
    read = _env_read_by_code()
    settings_py = set(re.findall(r"[\"'](DANVAN_[A-Z0-9_]+)[\"']", (ROOT / "danvan/settings.py").read_text()))
    assert {"DANVAN_SITE_URL", "DANVAN_DATABASE_URL"} <= settings_py <= read
    table = _settings_table()
    assert not read - table, f"settings read by the code but not in the README: {sorted(read - table)}"
    assert not table - read, f"settings in the README that no code reads: {sorted(table - read)}"


def test_commands_md_lists_every_command_and_option_with_help():
    from danvan.foundation.commands_doc import PATH, options_of, own_commands, render

    assert PATH.read_text(encoding="utf-8") == render(), (
        "docs/COMMANDS.md is out of date: run `.venv/bin/python -m danvan.foundation.commands_doc`")
    text = PATH.read_text(encoding="utf-8")
    assert "(không có hướng dẫn)" not in text, "every option has a line of help"
    commands = own_commands()
    assert {"movement", "check-replica", "bench", "demo", "export", "report", "import-forms"} <= set(commands)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, cmd in commands.items():
        assert f"## `danvan {name}`" in text
        assert f"danvan {name}" in readme, f"the README's command table names danvan {name}"
        for sub in options_of(cmd.create_parser("danvan", name)):
            assert not sub or f"### `danvan {name} {sub}`" in text
    for needed in ("`--addrport ĐỊA_CHỈ:CỔNG`", "`--format docx|pdf`", "`--movement SỐ`", "`--as TÊN_ĐĂNG_NHẬP`",
                   "pages", "### `danvan movement list`"):
        assert needed in text
