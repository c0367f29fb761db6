"""The review store: schema, engine, rollups, queries, site ratings, and the importer.

The importer is where ingestion and inference meet: it stores rows and scores them. The other
storage modules import neither.
"""
