"""HighThroughputExecutor: client -> interchange -> process worker pools over ZeroMQ."""
