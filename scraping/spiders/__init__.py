"""Spiders of the scraping project (`scrapy list` shows them)."""
