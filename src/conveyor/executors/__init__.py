"""Executors: where the kernel hands ready tasks to be run (step 3 of the task path)."""
