"""Text and features, the bottom layer: cleaning, tokenising, stopwords, language, the featuriser.

Imports nothing else from `core` (settings and logs aside).
"""
