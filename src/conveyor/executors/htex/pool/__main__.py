"""``process_worker_pool`` entry point: argv -> PoolLaunchSpec -> run the pool manager."""

from __future__ import annotations

import logging
import os
import signal
import sys

from conveyor.executors.htex.pool_spec import PoolLaunchSpec


def main(argv: list[str] | None = None) -> int:
    """Start one pool; exit code 0 on normal exit, 2 on bad arguments, 3 if refused."""
    try:
        spec = PoolLaunchSpec.from_argv(list(sys.argv[1:] if argv is None else argv))
    except (ValueError, TypeError) as exc:
        print(f"process_worker_pool: {exc}", file=sys.stderr)
        return 2
    os.makedirs(spec.logdir, exist_ok=True)
    logging.basicConfig(
        filename=os.path.join(spec.logdir, f"pool_{spec.block_id}_{os.getpid()}.log"),
        level=logging.DEBUG if spec.debug else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from conveyor.executors.htex.pool.manager import main_loop

    return main_loop(spec)


if __name__ == "__main__":
    sys.exit(main())
