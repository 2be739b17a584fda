"""Pilot-job plumbing shared by block-based executors: block states, scaling, polling."""
