"""The federation's state changes, one module per concern."""
