"""Item pipelines, one concern per module: clean -> validate -> dedupe -> store (see settings)."""
