"""Execution providers: obtain blocks of nodes from a batch system or the local machine."""
