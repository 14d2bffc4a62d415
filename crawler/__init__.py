"""Crawling the official sources into the registry (Scrapy).

``crawler.run.crawl(settings, run_id=…, sources=…)`` is the entry point; spiders live in
``crawler/spiders``, answer parsers in ``crawler/parse``, failure detection in ``crawler/detect``,
the registry pipeline in ``crawler/record``, text extraction in ``crawler/extract`` and the local
mirror of the sources in ``crawler/mirror``.
"""
