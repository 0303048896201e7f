"""The federation's state changes: pulling peers' feeds into mirrors, remote holds, pairing."""
