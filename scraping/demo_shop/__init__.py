"""An offline demo shop to try the scraper on (`make demo-shop` / `python -m scraping.demo_shop`)."""
