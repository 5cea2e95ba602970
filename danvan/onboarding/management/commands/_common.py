from __future__ import annotations

import json

from danvan.foundation import command


def operator(username: str | None):
    """The account the CLI acts as: --user, else the first superuser (the operator running the server)."""
    return command.acting_user(username, "--user")


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)
