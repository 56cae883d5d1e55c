"""Site membership at public suffixes (scraper/urls/identity.py): a site is rooted at its
configured host, never widened to the publisher's whole domain (eTLD+1), and the
www./m./amp. stripping never reaches a public suffix."""

import subprocess
import sys

import pytest

from scraper.urls import registrable_host, same_site


def test_different_publishers_under_one_suffix_are_different_sites():
    assert not same_site("https://www.bbc.co.uk/news/x", ["www.example.co.uk"])
    assert not same_site("https://www.example.co.uk/news/x", ["www.bbc.co.uk"])
    assert registrable_host("www.bbc.co.uk") == "bbc.co.uk"
    assert registrable_host("www.example.co.uk") == "example.co.uk"


def test_a_www_host_admits_the_publishers_subdomains():
    assert same_site("https://news.example.co.uk/x", ["www.example.co.uk"])
    assert same_site("https://example.co.uk/x", ["www.example.co.uk"])


def test_a_deeper_host_is_not_widened_to_the_publishers_domain():
    """Not eTLD+1: "news.example.co.uk" does not take in the rest of example.co.uk;
    allowed_hosts is the way to widen a site."""
    assert registrable_host("news.example.co.uk") == "news.example.co.uk"
    assert not same_site("https://www.example.co.uk/x", ["news.example.co.uk"])
    assert not same_site("https://shop.example.co.uk/x", ["news.example.co.uk"])
    assert same_site("https://www.example.co.uk/x", ["news.example.co.uk", "www.example.co.uk"])


@pytest.mark.parametrize(
    ("host", "root"),
    [
        ("www.gov.uk", "www.gov.uk"),  # gov.uk is a public suffix: GOV.UK is www.gov.uk
        ("www.co.uk", "www.co.uk"),
        ("m.github.io", "m.github.io"),  # private PSL entries count too
        ("www.blogspot.com", "www.blogspot.com"),
        ("www.foo.blogspot.com", "foo.blogspot.com"),
        ("amp.www.example.com", "example.com"),
        ("www.localhost", "www.localhost"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_prefix_stripping_stops_short_of_a_public_suffix(host, root):
    assert registrable_host(host) == root


def test_a_host_just_above_a_public_suffix_does_not_admit_the_whole_suffix():
    assert same_site("https://www.gov.uk/news", ["www.gov.uk"])
    assert not same_site("https://www.leeds.gov.uk/news", ["www.gov.uk"])
    assert not same_site("https://other.blogspot.com/", ["www.blogspot.com"])
    assert same_site("https://m.foo.blogspot.com/", ["www.foo.blogspot.com"])


def test_the_suffix_list_is_loaded_lazily_and_offline():
    """Importing scraper.urls does not import tldextract (it pulls in requests), and a
    lookup works with no network and no cache directory to write to."""
    code = (
        "import sys, socket\n"
        "import scraper.urls as u\n"
        "assert 'tldextract' not in sys.modules\n"
        "assert u.same_site('http://127.0.0.1:8000/a', ['127.0.0.1'])\n"
        "assert 'tldextract' not in sys.modules\n"
        "def no_network(*a, **k): raise AssertionError('network used')\n"
        "socket.socket.connect = no_network\n"
        "socket.getaddrinfo = no_network\n"
        "assert u.registrable_host('www.gov.uk') == 'www.gov.uk'\n"
        "assert 'tldextract' in sys.modules\n"
    )
    env = {"HOME": "/nonexistent", "XDG_CACHE_HOME": "/nonexistent", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
