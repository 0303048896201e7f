"""What many tests share: the race harness, factories."""
