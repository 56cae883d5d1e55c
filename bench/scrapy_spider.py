"""The baseline of the crawl benchmark: a plain Scrapy 2.x spider over the same world.

Kept honest: it starts from each host's home page like the crawler, obeys robots.txt, keeps
one request in flight per host with no delay (as the crawler with per_host_delay = 0), the
same overall concurrency, follows links (from articles too), extracts every article with
trafilatura (`bare_extraction(..., with_metadata=True)`, its defaults) and writes one row per
article to SQLite through an item pipeline. Which pages are articles it knows the way Scrapy
users say it: a CrawlSpider rule on the site's article URL pattern (/news/).

The reactor is Twisted's epoll reactor, not the asyncio one Scrapy 2.13+ defaults to: with
the asyncio reactor Scrapy 2.19's downloader starts every request queued for a slot at once
(`_process_queue` schedules `_download` as a task, and the slot's `transferring` set only
grows when the task runs), so CONCURRENT_REQUESTS_PER_DOMAIN = 1 is not kept: the world's
server log shows up to 5-7 requests in flight on one host. `--reactor asyncio` shows it.

    python -m bench.scrapy_spider --manifest .bench/world/manifest.json --db out.db [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import trafilatura
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

from bench.world import USER_AGENT, base_url

REACTORS = {"epoll": "twisted.internet.epollreactor.EPollReactor",
            "asyncio": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"}
FIELDS = ("url", "title", "author", "date", "description", "sitename", "hostname",
          "categories", "tags", "text")


class WorldSpider(CrawlSpider):
    name = "world"
    rules = (
        Rule(LinkExtractor(allow=r"/news/"), callback="parse_article", follow=True),
        Rule(LinkExtractor(deny=r"/news/"), follow=True),
    )

    def __init__(self, manifest: dict, *args, **kwargs) -> None:
        self.allowed_domains = [h["host"] for h in manifest["hosts"]]
        self.start_urls = [base_url(manifest, h["host"]) + "/" for h in manifest["hosts"]]
        super().__init__(*args, **kwargs)

    def parse_article(self, response):
        doc = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
        if doc is None or not doc.text:
            return
        yield {"url": response.url, "title": doc.title, "author": doc.author, "date": doc.date,
               "description": doc.description, "sitename": doc.sitename,
               "hostname": doc.hostname, "categories": ";".join(doc.categories or []),
               "tags": ";".join(doc.tags or []), "text": doc.text}


class SQLitePipeline:
    """One row per article, committed as it comes (as the crawler settles page by page)."""

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("BENCH_DB"))

    def open_spider(self, spider=None) -> None:
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"CREATE TABLE IF NOT EXISTS articles ({', '.join(FIELDS)}, "
                        "PRIMARY KEY (url))")

    def close_spider(self, spider=None) -> None:
        self.db.close()

    def process_item(self, item, spider=None):
        with self.db:
            self.db.execute(f"INSERT OR REPLACE INTO articles VALUES ({', '.join('?' * len(FIELDS))})",
                            [item.get(f) for f in FIELDS])
        return item


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--reactor", choices=sorted(REACTORS), default="epoll")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    process = CrawlerProcess(settings={
        "BOT_NAME": "scrapy-bench",
        "USER_AGENT": USER_AGENT.replace("scraper-bench", "scrapy-bench"),
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "TWISTED_REACTOR": REACTORS[args.reactor],
        "DEPTH_LIMIT": 3,  # the crawler's default max_depth
        "DOWNLOAD_TIMEOUT": 20,  # the crawler's default timeout
        "LOG_LEVEL": args.log_level,
        "BENCH_DB": str(args.db),
        "ITEM_PIPELINES": {"bench.scrapy_spider.SQLitePipeline": 300},
    })
    process.crawl(WorldSpider, manifest=manifest)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
