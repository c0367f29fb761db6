"""Adaptation: fine-tune the base model on an analyst's rated reviews and prove it on held-out ones.

Modules, bottom up: `options` (the settings), `data` (rated reviews, the general corpora sample, the
split), `labels` (labels from ratings), `extend` (rebuild and extend the base network), `gate` (the
proof's statistics), `pipeline` (the steps of one adaptation and writing the version), `cli`
(`python -m models.adapt`), `job` (the CLI as a background process, and its status file).
"""
