"""What runs the user's function, for every executor, and the Outcome it reports."""
