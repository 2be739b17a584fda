"""Launchers that need no parallel launcher program: Simple, Wrapped, SingleNode."""

from __future__ import annotations

import logging

from conveyor.launchers.base import Launcher

__all__ = ["SimpleLauncher", "SingleNodeLauncher", "WrappedLauncher"]

logger = logging.getLogger(__name__)


class SimpleLauncher(Launcher):
    """Run the command once, as is (one pool per block; the pool starts its workers)."""

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return ``command`` unchanged."""
        if nodes_per_block > 1:
            logger.warning(
                "SimpleLauncher starts one copy only; %d nodes per block requested", nodes_per_block
            )
        return command


class WrappedLauncher(Launcher):
    """Run the command once, behind a prefix (e.g. a container runtime invocation)."""

    def __init__(self, prepend: str, debug: bool = True) -> None:
        super().__init__(debug)
        self.prepend = prepend

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return ``prepend command`` (one copy: more tasks or nodes are warned about)."""
        if tasks_per_node > 1:
            logger.warning("WrappedLauncher ignores tasks per node (%d requested)", tasks_per_node)
        if nodes_per_block > 1:
            logger.warning(
                "WrappedLauncher ignores nodes per block (%d requested)", nodes_per_block
            )
        return f"{self.prepend} {command}"


class SingleNodeLauncher(Launcher):
    """Start ``tasks_per_node * nodes_per_block`` copies on this node, then wait for them.

    The block's exit status is non-zero when every copy failed, or when any copy failed
    with ``fail_on_any=True``.
    """

    def __init__(self, debug: bool = True, fail_on_any: bool = False) -> None:
        super().__init__(debug)
        self.fail_on_any = fail_on_any

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return a bash fragment starting the copies in the background."""
        copies = tasks_per_node * nodes_per_block
        verdict = (
            '[ "$failed" -gt 0 ] && exit 1'
            if self.fail_on_any
            else f'[ "$failed" -eq {copies} ] && exit 1'
        )
        return "\n".join(
            [
                "export CORES=$(getconf _NPROCESSORS_ONLN)",
                "conveyor_cmd() {",
                command,
                "}",
                "pids=()",
                f'for rank in $(seq 1 {copies}); do conveyor_cmd "$rank" & pids+=($!); done',
                "failed=0",
                'for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed+1)); done',
                verdict,
                "exit 0",
            ]
        )
