"""What every `python -m bench.<section>` does around its own work: parse
its options, run, print its report, and end with one line of JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from rich.console import Console


def run_section(
    args: argparse.Namespace,
    run: Callable[[argparse.Namespace, Console], dict[str, Any]],
    report: Callable[[Console, dict[str, Any]], None],
    *,
    width: int,
) -> int:
    console = Console(highlight=False, width=width)
    result = run(args, console)
    report(console, result)
    # INVARIANT: the JSON is the last line of standard output, for scripts.
    console.file.flush()
    print(json.dumps(result), flush=True)
    return 0
