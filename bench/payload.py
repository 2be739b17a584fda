"""Large payloads: conveyor, Parsl and ProcessPoolExecutor side by side, MB/s per size.

    python bench/payload.py [--quick] [--sizes 1,16,256] [--no-write]

Each task sends a bytes payload of the size to a worker and gets it back (issue 14 item 3:
out-of-band buffers as their own ZeroMQ frames). Encryption off for both HTEXes (Parsl's
default); ProcessPoolExecutor(2) is the floor every Python process pool pays (one pipe
each way). Results go to bench/PAYLOAD.md.
"""

import argparse
import datetime
import sys

from run import CONVEYOR_PY, HERE, machine, parsl_python, run_case, versions

#: tasks per size (MiB): enough to move ~200 MiB-1 GiB each way
TASKS = {1: 200, 16: 30, 256: 4}
QUICK = {1: 50, 16: 8, 256: 2}


def measure(sizes: list[int], quick: bool) -> dict[tuple[str, int], dict | None]:
    parsl_py = parsl_python()
    systems = [("conveyor", CONVEYOR_PY, "htex"), ("processpool", CONVEYOR_PY, "pool")]
    if parsl_py is not None:
        systems.insert(1, ("parsl", parsl_py, "htex"))
    out = {}
    for mib in sizes:
        n = (QUICK if quick else TASKS).get(mib, 4)
        for system, py, kind in systems:
            runner = "conveyor" if system == "conveyor" else "parsl"
            out[(system, mib)] = run_case(
                runner, py, f"{kind}:{mib}", n, False, script_name="payload_case.py"
            )
            print(system, mib, "MiB:", out[(system, mib)], file=sys.stderr)
    return out


def table(results: dict[tuple[str, int], dict | None], sizes: list[int]) -> str:
    def rate(system: str, mib: int) -> float | None:
        r = results.get((system, mib))
        return None if r is None else r["mb_per_s"]

    def cell(v: float | None) -> str:
        return "-" if v is None else f"{v:,.0f}"

    def ratio(a: float | None, b: float | None) -> str:
        return "-" if a is None or b is None else f"{a / b:.2f}x"

    rows = [
        "| payload | conveyor MB/s | Parsl MB/s | ProcessPool MB/s | conveyor/Parsl | conveyor/ProcessPool |",
        "|---|---|---|---|---|---|",
    ]
    for mib in sizes:
        c, p, f = rate("conveyor", mib), rate("parsl", mib), rate("processpool", mib)
        rows.append(
            f"| {mib} MiB | {cell(c)} | {cell(p)} | {cell(f)} | {ratio(c, p)} | {ratio(c, f)} |"
        )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", default="1,16,256")
    ap.add_argument("--no-write", action="store_true")
    ns = ap.parse_args()
    sizes = [int(s) for s in ns.sizes.split(",")]
    results = measure(sizes, ns.quick)
    text = table(results, sizes)
    print(text)
    if not ns.no_write:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        (HERE / "PAYLOAD.md").write_text(
            f"# Payload bandwidth ({stamp})\n\n{machine()}\n\n"
            f"{versions({'conveyor': CONVEYOR_PY})}\n\n"
            "Each task sends bytes of the given size and gets them back; MB/s counts both "
            "directions. Encryption off. One run; compare ratios within it.\n\n"
            f"{text}\n"
        )


if __name__ == "__main__":
    main()
