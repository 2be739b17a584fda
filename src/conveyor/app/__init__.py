"""Apps: decorated user functions and the calls they make (step 1 of the task path)."""
