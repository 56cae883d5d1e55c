"""Charset detection order: BOM, Content-Type header, <meta charset>, detection. Bad bytes never raise."""

from __future__ import annotations

import codecs

from scraper.extract.decode import decode_html

TEXT = "Café crème à São Paulo — “quoted”"


def test_bom_wins_over_header_and_meta():
    data = codecs.BOM_UTF8 + f'<meta charset="windows-1252"><p>{TEXT}</p>'.encode()
    text, enc = decode_html(data, {"Content-Type": "text/html; charset=iso-8859-2"})
    assert TEXT in text and enc == "utf-8"


def test_header_wins_over_meta():
    data = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode("cp1252")
    text, enc = decode_html(data, {"content-type": "text/html; charset=windows-1252"})
    assert TEXT in text and enc == "cp1252"


def test_meta_charset_used_without_header():
    data = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head><p>{TEXT}</p>'.encode("cp1252")
    text, _ = decode_html(data, None)
    assert TEXT in text


def test_latin1_label_is_read_as_windows_1252():
    data = "<meta charset=iso-8859-1><p>“smart quotes”</p>".encode("cp1252")
    assert "“smart quotes”" in decode_html(data)[0]


def test_detection_without_any_declaration():
    data = ("<p>" + "Beyoncé et Zoë à la fête de Noël, déjà vu. " * 20 + "</p>").encode("cp1252")
    text, _ = decode_html(data)
    assert "Beyoncé et Zoë" in text


def test_garbage_and_unknown_charset_never_raise():
    junk = bytes(range(256)) * 10
    text, _ = decode_html(junk, {"Content-Type": "text/html; charset=x-no-such-charset"})
    assert isinstance(text, str) and text


def test_detection_keeps_non_latin_legacy_charsets():
    data = ("<p>" + "Привет мир, это тестовая страница новостей. " * 20 + "</p>").encode("cp1251")
    assert "Привет мир" in decode_html(data)[0]
