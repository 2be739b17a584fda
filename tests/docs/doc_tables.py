"""The tables the docs copy from the code, rendered as Markdown (checked by test_docs.py).

State tables (docs/states.md), the layering rules (docs/architecture.md) and the Parsl
compatibility table (docs/migrating-from-parsl.md). ``python tests/docs/test_docs.py
NAME...`` prints tables by marker name (``states`` for all of docs/states.md's), ready to
paste between their markers; ``--write`` rewrites them all in place.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# --- the state tables ----------------------------------------------------------------------


def _comments(module_file: str) -> dict[str, str]:
    """``NAME -> text`` of the ``#:`` comment above each enum member in a source file."""
    lines = (ROOT / "src" / module_file).read_text().splitlines()
    found = {}
    for above, line in zip(lines, lines[1:], strict=False):
        comment = re.match(r"\s+#: (.*)$", above)
        member = re.match(r"\s+([A-Z_]+) = ", line)
        if comment and member:
            found[member[1]] = comment[1]
    return found


def task_state_table() -> str:
    """The task state table, rendered from conveyor.kernel.states."""
    from conveyor.kernel.states import ALLOWED, TaskState

    meaning = _comments("conveyor/kernel/states.py")
    rows = ["| state | value | terminal | may move to | meaning |", "|---|---|---|---|---|"]
    for s in TaskState:
        targets = ", ".join(f"`{t.name}`" for t in TaskState if t in ALLOWED[s]) or "—"
        terminal = "yes" if s.terminal else "no"
        rows.append(f"| `{s.name}` | `{s.value}` | {terminal} | {targets} | {meaning[s.name]} |")
    return "\n".join(rows)


def job_state_table() -> str:
    """The job state table, rendered from conveyor.providers.states."""
    from conveyor.providers.states import TERMINAL_STATES, JobState

    meaning = _comments("conveyor/providers/states.py")
    rows = ["| state | value | terminal | meaning |", "|---|---|---|---|"]
    for s in JobState:
        terminal = "yes" if s in TERMINAL_STATES else "no"
        rows.append(f"| `{s.name}` | {s.value} | {terminal} | {meaning[s.name]} |")
    return "\n".join(rows)


def block_state_table() -> str:
    """The block state table, rendered from conveyor.executors.blocks.states."""
    from conveyor.executors.blocks.states import ALLOWED, ENDED, BlockState

    meaning = _comments("conveyor/executors/blocks/states.py")
    rows = ["| state | ended | may move to | meaning |", "|---|---|---|---|"]
    for s in BlockState:
        targets = ", ".join(f"`{t.name}`" for t in BlockState if t in ALLOWED[s]) or "—"
        ended = "yes" if s in ENDED else "no"
        rows.append(f"| `{s.name}` | {ended} | {targets} | {meaning[s.name]} |")
    return "\n".join(rows)


def slurm_state_table() -> str:
    """Slurm job state -> JobState, rendered from conveyor.providers.slurm.commands."""
    from conveyor.providers.slurm.commands import SLURM_STATES

    rows = ["| Slurm state | JobState |", "|---|---|"]
    rows += [f"| `{name}` | `{state.name}` |" for name, state in SLURM_STATES.items()]
    return "\n".join(rows)


def batch_state_table(module: str, name: str, heading: str) -> str:
    """A batch system's state -> JobState table, rendered from its commands module."""
    states = getattr(importlib.import_module(module), name)
    rows = [f"| {heading} | JobState |", "|---|---|"]
    rows += [f"| `{word}` | `{state.name}` |" for word, state in states.items()]
    return "\n".join(rows)


_BATCH = "conveyor.providers.{}.commands"
BATCH_TABLES = {
    "pbspro-states": (_BATCH.format("pbspro"), "PBSPRO_STATES", "PBS Pro `job_state`"),
    "torque-states": (_BATCH.format("torque"), "TORQUE_STATES", "Torque `job_state`"),
    "lsf-states": (_BATCH.format("lsf"), "LSF_STATES", "LSF `STAT`"),
    "condor-states": (_BATCH.format("condor"), "CONDOR_STATES", "HTCondor `JobStatus`"),
    "gridengine-states": (
        _BATCH.format("gridengine"),
        "GRIDENGINE_STATES",
        "Grid Engine `state`",
    ),
}


def table_in_doc(text: str, name: str) -> str:
    """The text between ``<!-- name:begin -->`` and ``<!-- name:end -->``."""
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    assert match, f"the doc lacks the {name}:begin / {name}:end markers"
    return match[1].strip()


STATE_TABLES = {
    "task-states": task_state_table,
    "job-states": job_state_table,
    "block-states": block_state_table,
    "slurm-states": slurm_state_table,
    **{name: functools.partial(batch_state_table, *spec) for name, spec in BATCH_TABLES.items()},
}


def layering_table() -> str:
    """The import rules of tests/unit/test_layering.py as a Markdown table."""
    spec = importlib.util.spec_from_file_location(
        "layering_rules", ROOT / "tests" / "unit" / "test_layering.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = ["| modules | never import |", "|---|---|"]
    for prefix, forbidden in module.RULES:
        banned = (
            "any other conveyor module"
            if forbidden == ["conveyor."]
            else ", ".join(f"`{f}`" for f in forbidden)
        )
        rows.append(f"| `{prefix}` | {banned} |")
    return "\n".join(rows)


def compat_table() -> str:
    """conveyor/compat.py's MODULES and LACKING as a Markdown table."""
    from conveyor.compat import LACKING, MODULES

    rows = ["| Parsl module | served from conveyor | not provided |", "|---|---|---|"]
    configs = [m.rpartition(".")[2] for m in MODULES if m.startswith("parsl.configs.")]
    for module, names in MODULES.items():
        if module.startswith("parsl.configs."):
            continue  # one row for them all, below
        served = ", ".join(f"`{n}`" for n in names) or "(package only)"
        lacking = ", ".join(f"`{n}`" for n in sorted(LACKING.get(module, ()))) or "—"
        rows.append(f"| `{module}` | {served} | {lacking} |")
    if configs:
        each = ", ".join(f"`{n}`" for n in configs)
        rows.append(f"| `parsl.configs.<name>` for each of {each} | `config` | — |")
    for module in sorted(set(LACKING) - set(MODULES)):
        lacking = ", ".join(f"`{n}`" for n in sorted(LACKING[module]))
        rows.append(f"| `{module}` | (not served) | {lacking} |")
    return "\n".join(rows)


#: generated tables: marker name -> (doc file, renderer)
TABLES = {
    **{name: ("states.md", render) for name, render in STATE_TABLES.items()},
    "layering": ("architecture.md", layering_table),
    "compat": ("migrating-from-parsl.md", compat_table),
}


def write_tables() -> None:
    """Rewrite every generated table in docs/ from the code (``--write``)."""
    for name, (doc, render) in TABLES.items():
        path = ROOT / "docs" / doc
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        head, rest = path.read_text().split(begin, 1)
        tail = rest.split(end, 1)[1]
        path.write_text(f"{head}{begin}\n{render()}\n{end}{tail}")


def main(args: list[str]) -> None:
    """Print the tables named in ``args`` (``states``: every state table); ``--write``."""
    if "--write" in args:
        write_tables()
    for name in [a for a in args if a != "--write"]:
        names = list(STATE_TABLES) if name == "states" else [name]
        for each in names:
            print(TABLES[each][1](), end="\n\n")
