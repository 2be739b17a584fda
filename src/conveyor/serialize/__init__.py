"""Serialization of functions, arguments and results (cloudpickle by default)."""
