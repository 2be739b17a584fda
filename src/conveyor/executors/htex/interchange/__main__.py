"""Interchange process entry: read JSON config from stdin, print ports, serve.

Exit codes: 0 after a clean shutdown, 2 on a bad configuration.
"""

from __future__ import annotations

import json
import logging
import os
import sys

from conveyor.executors.htex.interchange.loop import Interchange, InterchangeConfig
from conveyor.executors.htex.lifeline import die_with_parent


def main() -> int:
    """Run one interchange."""
    die_with_parent()
    try:
        raw = json.loads(sys.stdin.readline())
        raw["port_range"] = tuple(raw.get("port_range", (54000, 56000)))
        log_file = raw.pop("log_file", "")
        cfg = InterchangeConfig(**raw)
    except (ValueError, TypeError) as exc:
        print(f"bad interchange config: {exc}", file=sys.stderr)
        return 2
    if log_file:
        logging.basicConfig(
            filename=log_file,
            level=logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
        )
    ix = Interchange(cfg)
    client_port, worker_port = ix.ports()
    print(
        json.dumps({"client_port": client_port, "worker_port": worker_port, "pid": os.getpid()}),
        flush=True,
    )
    ix.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
