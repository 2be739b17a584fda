"""The process worker pool: one per node, one connection to the interchange."""
