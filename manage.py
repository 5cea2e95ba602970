#!/usr/bin/env python
from danvan.cli import main

if __name__ == "__main__":
    main()
