"""``python -m cspc``: the same command line as ``cspc``."""

from cspc.cli import main

main()
