"""Launchers: start one worker pool per node inside a block (pure string functions)."""
