#!/usr/bin/env python3
"""A small fake batch system for tests: PBS Pro, Torque, LSF and HTCondor commands.

Invoked as ``fakebatch.py COMMAND ARGS...`` by wrappers named qsub, qstat, qdel, bsub,
bjobs, bkill, condor_submit, condor_q, condor_history and condor_rm. Jobs live in
``$FAKEBATCH_DIR`` (one ``N.json`` each) and run at once as local process groups; output
goes where the job's directives say. ``$FAKEBATCH_DIALECT`` (``pbspro`` or ``torque``)
picks what qsub/qstat print. Outputs follow the formats those systems document. As PBS
and Torque do, qsub jobs write their output to a spool file delivered to the -o/-e paths
when they end. Marker files: ``N.state`` makes status report that word instead (to test
undocumented states); ``N.forget`` makes the system forget job N; ``N.purge`` makes it
forget job N once it has ended (a server keeping no history of ended jobs).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DIR = Path(os.environ["FAKEBATCH_DIR"])
DIALECT = os.environ.get("FAKEBATCH_DIALECT", "pbspro")
SERVER = "fake01"


def _new_id() -> int:
    DIR.mkdir(parents=True, exist_ok=True)
    with open(DIR / "next", "a+") as f:
        f.seek(0)
        number = int(f.read() or "100") + 1
        f.seek(0)
        f.truncate()
        f.write(str(number))
    return number


def _directives(script: Path, prefix: str) -> dict[str, str]:
    found = {}
    for line in script.read_text().splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] == prefix:
            found[parts[1]] = parts[2]
    return found


def _start(number: int, argv: list[str], out: str, err: str, cwd: str, env: dict[str, str]) -> None:
    exit_file = DIR / f"{number}.exit"
    if os.path.basename(sys.argv[1]) == "qsub":  # PBS/Torque: delivered at the end
        wrapper = (
            '"$@" >"$OUT.spool" 2>"$ERR.spool"; code=$?; mv "$OUT.spool" "$OUT"; '
            'mv "$ERR.spool" "$ERR"; echo $code > "$EXIT.tmp"; mv "$EXIT.tmp" "$EXIT"'
        )
    else:
        wrapper = '"$@" >"$OUT" 2>"$ERR"; echo $? > "$EXIT.tmp"; mv "$EXIT.tmp" "$EXIT"'
    env = {**os.environ, **env, "OUT": out, "ERR": err, "EXIT": str(exit_file)}
    proc = subprocess.Popen(
        ["bash", "-c", wrapper, "job", *argv],
        cwd=cwd,
        env=env,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (DIR / f"{number}.pid").write_text(str(proc.pid))


def _record(number: int, **fields: Any) -> None:
    (DIR / f"{number}.json").write_text(json.dumps({"number": number, **fields}))


def qsub(args: list[str]) -> int:
    script = Path(args[-1])
    if "-q" in args and args[args.index("-q") + 1] == "nosuch":
        print("qsub: Unknown queue", file=sys.stderr)
        return 170
    found = _directives(script, "#PBS")
    number = _new_id()
    _record(number, name=found.get("-N", script.name))
    _start(number, ["bash", str(script)], found["-o"], found["-e"], str(script.parent), {})
    print(f"{number}.{SERVER}")
    return 0


def bsub(args: list[str]) -> int:
    script = Path(args[-1]) if args else None
    if script is None:  # bsub < script: the script is on stdin
        text = sys.stdin.read()
        DIR.mkdir(parents=True, exist_ok=True)
        script = DIR / f"stdin.{time.time_ns()}.sh"
        script.write_text(text)
    found = _directives(script, "#BSUB")
    number = _new_id()
    _record(number, name=found.get("-J", script.name))
    _start(number, ["bash", str(script)], found["-o"], found["-e"], str(script.parent), {})
    print(f"Job <{number}> is submitted to default queue <normal>.")
    return 0


def _submit_description(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.startswith("#"):
            found[key.strip().lower()] = value.strip()
    return found


def _condor_environment(value: str) -> dict[str, str]:
    inner = value.strip()[1:-1].replace('""', '"')
    return {k: v.replace("''", "'") for k, v in re.findall(r"(\w+)='((?:[^']|'')*)'", inner)}


def condor_submit(args: list[str]) -> int:
    desc = _submit_description(Path(args[-1]))
    number = _new_id()
    scratch = DIR / f"scratch.{number}"
    scratch.mkdir()
    for item in desc.get("transfer_input_files", "").split(","):
        if item.strip():
            shutil.copy(item.strip(), scratch)
    argv = [desc["executable"], *shlex.split(desc.get("arguments", ""))]
    env = _condor_environment(desc.get("environment", '""'))
    _record(number, name=env.get("JOBNAME", "job"))
    _start(number, argv, desc["output"], desc["error"], str(scratch), env)
    print("Submitting job(s).")
    print(f"1 job(s) submitted to cluster {number}.")
    return 0


def _number(job_id: str) -> int | None:
    head = job_id.split(".", 1)[0]
    if not head.isdigit() or not (DIR / f"{head}.json").exists():
        return None
    if (DIR / f"{head}.forget").exists():
        return None
    if (DIR / f"{head}.purge").exists() and (DIR / f"{head}.exit").exists():
        return None
    return int(head)


def _condition(number: int) -> tuple[str, int | None]:
    """("running" | "done" | "deleted" | an override word, exit code)."""
    override = DIR / f"{number}.state"
    if override.exists():
        return override.read_text().strip(), None
    exit_file = DIR / f"{number}.exit"
    code = int(exit_file.read_text()) if exit_file.exists() else None
    if (DIR / f"{number}.deleted").exists():
        return "deleted", code
    return ("running", None) if code is None else ("done", code)


_PBS = {"running": "R", "done": "F", "deleted": "F"}
_LSF = {"running": "RUN", "deleted": "EXIT"}
_CONDOR = {"running": 2, "done": 4, "deleted": 3}


def _ids(args: list[str]) -> list[str]:
    return [a for a in args if re.match(r"^\d+(\.\S+)?$", a)]


def qstat(args: list[str]) -> int:
    known, rc = {}, 0
    for job_id in _ids(args):
        number = _number(job_id)
        if number is None:
            unknown = "Unknown Job Id Error" if DIALECT == "torque" else "Unknown Job Id"
            print(f"qstat: {unknown} {job_id}", file=sys.stderr)
            rc = 153
            continue
        known[f"{number}.{SERVER}"] = _condition(number)
    if DIALECT == "torque":
        print(_torque_xml(known))
    else:
        jobs: dict[str, dict[str, Any]] = {}
        for job_id, (cond, code) in known.items():
            jobs[job_id] = {"job_state": _PBS.get(cond, cond), "queue": "workq"}
            if cond == "deleted":
                jobs[job_id]["Exit_status"] = 271
            elif code is not None:
                jobs[job_id]["Exit_status"] = code
        print(json.dumps({"timestamp": int(time.time()), "pbs_server": SERVER, "Jobs": jobs}))
    return rc


def _torque_xml(known: dict[str, tuple[str, int | None]]) -> str:
    parts = ["<Data>"]
    for job_id, (cond, code) in known.items():
        state = {"running": "R", "done": "C", "deleted": "C"}.get(cond, cond)
        status = 271 if cond == "deleted" else code
        exit_tag = "" if status is None else f"<exit_status>{status}</exit_status>"
        parts.append(
            f"<Job><Job_Id>{job_id}</Job_Id><job_state>{state}</job_state>{exit_tag}</Job>"
        )
    return "".join([*parts, "</Data>"])


def bjobs(args: list[str]) -> int:
    records, rc = [], 0
    for job_id in _ids(args):
        number = _number(job_id)
        if number is None:
            records.append({"JOBID": job_id, "ERROR": f"Job <{job_id}> is not found"})
            rc = 255
            continue
        cond, code = _condition(number)
        stat = _LSF.get(cond, "DONE" if cond == "done" and code == 0 else cond)
        if cond == "done" and code != 0:
            stat = "EXIT"
        reason = "TERM_OWNER: job killed by owner" if cond == "deleted" else ""
        exit_code = "" if code in (None, 0) else str(code)
        records.append(
            {"JOBID": str(number), "STAT": stat, "EXIT_CODE": exit_code, "EXIT_REASON": reason}
        )
    print(json.dumps({"COMMAND": "bjobs", "JOBS": len(records), "RECORDS": records}, indent=2))
    return rc


def _condor_ads(args: list[str], finished: bool) -> int:
    ads = []
    for job_id in _ids(args):
        number = _number(job_id)
        if number is None:
            continue
        cond, code = _condition(number)
        if (cond in ("done", "deleted")) != finished:
            continue
        ad: dict[str, Any] = {
            "ClusterId": number,
            "ProcId": 0,
            "JobStatus": _CONDOR.get(cond, cond),
        }
        if cond == "done":
            ad.update(ExitCode=code, ExitBySignal=False)
        ads.append(ad)
    if ads:
        print(json.dumps(ads, indent=2))
    return 0


def cancel(args: list[str], refusal: str) -> int:
    rc = 0
    for job_id in _ids(args):
        number = _number(job_id)
        if number is None:
            print(refusal.format(job_id), file=sys.stderr)
            rc = 1
            continue
        (DIR / f"{number}.deleted").touch()
        _kill_group(int((DIR / f"{number}.pid").read_text()))
    return rc


def _kill_group(pgid: int) -> None:
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "qsub": qsub,
    "qstat": qstat,
    "qdel": lambda a: cancel(a, "qdel: Unknown Job Id {}"),
    "bsub": bsub,
    "bjobs": bjobs,
    "bkill": lambda a: cancel(a, "bkill: Job <{}>: No matching job found"),
    "condor_submit": condor_submit,
    "condor_q": lambda a: _condor_ads(a, finished=False),
    "condor_history": lambda a: _condor_ads(a, finished=True),
    "condor_rm": lambda a: cancel(a, "Couldn't find/remove all jobs matching constraint {}"),
}

if __name__ == "__main__":
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
