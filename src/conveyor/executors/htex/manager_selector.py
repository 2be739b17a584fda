"""Which pool the interchange offers tasks to first (Parsl's ``manager_selector``).

    HighThroughputExecutor(manager_selector=BlockIdManagerSelector())
        -> the interchange's config ``manager_order="block_id"``
        -> BrokerState.dispatch offers queued tasks to the newest block's pools first

conveyor's interchange orders pools itself (it does not run Python objects from the user's
process), so the selectors are the two Parsl ships; another subclass is refused.
"""

from __future__ import annotations

from conveyor.errors import ConfigurationError

__all__ = [
    "BlockIdManagerSelector",
    "ManagerSelector",
    "RandomManagerSelector",
    "manager_order",
]


class ManagerSelector:
    """Base of the selectors; ``order`` names the interchange's ordering of pools."""

    order = "free"

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class RandomManagerSelector(ManagerSelector):
    """Pools with room, in random order (Parsl's default)."""

    order = "random"


class BlockIdManagerSelector(ManagerSelector):
    """Pools of the highest-numbered (newest) block first, so older blocks can empty."""

    order = "block_id"


def manager_order(selector: object) -> str:
    """The interchange's ordering for ``selector`` (None: conveyor's, most room first)."""
    if selector is None:
        return "free"
    if type(selector) not in (RandomManagerSelector, BlockIdManagerSelector):
        raise ConfigurationError(
            f"manager_selector {selector!r} is not supported: conveyor's interchange knows "
            "RandomManagerSelector and BlockIdManagerSelector"
        )
    return str(selector.order)  # type: ignore[attr-defined]
