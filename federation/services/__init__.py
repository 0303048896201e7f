"""The federation's state changes, one module per concern: pulling peers' feeds into mirrors, remote holds, pairing."""
