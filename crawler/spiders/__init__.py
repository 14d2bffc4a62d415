"""One Scrapy spider per kind of source: ``flk``, ``xzfg``, ``html_list`` (see crawler/scrapy_settings.SPIDERS)."""
