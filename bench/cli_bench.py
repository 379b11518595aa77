"""How fast the ``ipfed`` command starts, printed, with a JSON object of the figures last.

- ``ipfed --help``: the installed entry point run in a fresh process, N times; the
  median and best wall time, and the median CPU time (user + system) of the process,
  which a busy machine inflates less than the wall time (target: median < 0.5 s);
- with ``--importtime``: the modules that take longest to import for ``ipfed --help``
  (``python -X importtime``, cumulative), to see what a change brought in.

The machine's load average is printed with the figures: on a shared machine, compare
runs taken under the same load.

    python bench/cli_bench.py [--runs 15] [--importtime]
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def entry_point() -> str:
    """The installed ``ipfed`` next to this Python, else the one on the PATH."""
    beside = Path(sys.executable).with_name("ipfed")
    found = str(beside) if beside.exists() else shutil.which("ipfed")
    if found is None:
        sys.exit("no ipfed entry point: install the package (pip install -e .)")
    return found


def timed_help(command: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``ipfed --help`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([command, "--help"], check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def import_offenders(top: int) -> list[tuple[str, float]]:
    """The modules with the largest cumulative import time for ``ipfed --help``."""
    code = "import sys; from ipfed.nodes.cli import main; sys.argv = ['ipfed', '--help']; main()"
    ran = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
    )
    times: dict[str, float] = {}
    for line in ran.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        # The modules imported first hand and their own imports (indented by two):
        # deeper ones are counted in theirs.
        if len(name) - len(name.lstrip()) <= 3:
            times[name.strip()] = int(cumulative) / 1000
    return sorted(times.items(), key=lambda item: -item[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--importtime", action="store_true", help="also list the slow imports")
    args = parser.parse_args()

    command = entry_point()
    timed_help(command)  # the first run fills the page cache and writes the bytecode
    runs = [timed_help(command) for _ in range(args.runs)]
    walls = [wall for wall, _ in runs]
    cpus = [cpu for _, cpu in runs]
    load = os.getloadavg()[0]
    figures = {
        "help_median_ms": round(statistics.median(walls) * 1000, 1),
        "help_best_ms": round(min(walls) * 1000, 1),
        "help_cpu_median_ms": round(statistics.median(cpus) * 1000, 1),
        "runs": args.runs,
        "load_1min": round(load, 2),
    }
    print(f"ipfed --help, {args.runs} runs of {command} (load average {load:.2f}):")
    print(f"  wall: median {figures['help_median_ms']} ms, best {figures['help_best_ms']} ms")
    print(f"  CPU:  median {figures['help_cpu_median_ms']} ms (user + system)")
    print(f"  target: median < 500 ms: {'met' if statistics.median(walls) < 0.5 else 'NOT met'}")
    if args.importtime:
        print("slowest imports of ipfed --help (cumulative):")
        for name, ms in import_offenders(12):
            print(f"  {ms:8.1f} ms  {name}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
