"""Benchmark tooling that needs more than the package: local worlds served on 127.0.0.x,
the crawl benchmark against Scrapy + trafilatura, and the million-URL sitemap memory bench.

Run from the repository root: `make bench-crawl`, `make bench-memory` (or
`python -m bench.crawl_bench --help`, `python -m bench.million --help`).
"""
