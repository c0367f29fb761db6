"""Command lines on top of every layer: `python -m core.predict` and `python -m core.ingest`."""
