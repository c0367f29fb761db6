"""Scoring with the model: the predictor, the featurising worker pool, explanations, the model registry.

Built on `core.nlp`; never imports `core.ingestion` or `core.storage`.
"""
