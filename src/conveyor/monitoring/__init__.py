"""Monitoring: Parsl's monitoring database, written cheaply by one batching thread."""
