"""Generated documentation: configuration reference and model cards (pure renderers)."""
