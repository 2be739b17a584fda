"""The launcher contract: a pure function turning a pool command into a block command."""

from __future__ import annotations

import abc

__all__ = ["Launcher"]


class Launcher(abc.ABC):
    """Wraps the worker-pool command so it starts ``tasks_per_node`` copies on each node.

    Launchers are pure: calling one returns a string and has no side effect.
    """

    def __init__(self, debug: bool = True) -> None:
        self.debug = debug

    @abc.abstractmethod
    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the shell text that launches ``command`` across the block.

        ``script_dir`` is where a launcher may write helper scripts (the provider's script
        directory, visible on every node); empty means ``$CONVEYOR_SCRIPT_DIR``, else the
        current directory. Parsl's signature.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}(debug={self.debug})"
