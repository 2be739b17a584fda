"""Suite-wide pytest configuration. Each test owns its own kernel and resources."""
