"""One module per thing a snapshot captures."""
