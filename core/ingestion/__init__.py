"""Files to review rows: reading tables, mapping columns, parsing values, cleaning rows, rating labels.

Built on `core.nlp`; never imports `core.inference` or `core.storage`.
"""
