"""``python -m analysis.cli`` behaves like the ``medtwitter`` command."""

from analysis.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
