"""The `danvan` console command: Django's manage.py with our settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
    from django.core.management import execute_from_command_line
    from multidb.pinning import pin_this_thread

    # With a read replica configured, commands and the task worker read what they write: the primary.
    # (Web requests run in other threads, routed per request by the pinning middleware.)
    pin_this_thread()

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
