"""Elaborations: small units the kernel runs around each task, behind narrow hooks."""
