"""Public test helpers: executor contract suite, fakes, fake clock."""
