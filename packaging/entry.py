"""The bundle's entry point: ``desktop-sync`` as the installed console script runs it.

The engine parses mail in worker processes started with "spawn"; in a frozen executable those
children are the executable itself, and ``freeze_support`` turns them into workers before the
command line is read.
"""

import multiprocessing

from desktop_sync.__main__ import entry

if __name__ == "__main__":
    multiprocessing.freeze_support()
    entry()
