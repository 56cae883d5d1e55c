"""The language model is mapped from an unpacked copy in the cache directory: the same answers
as py3langid's own load, one entry written once, and py3langid's own load whenever the cache
cannot be used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from scraper.extract import langmodel

TEXTS = [
    "The government announced on Tuesday that it would raise the minimum wage next year.",
    "Die Bundesregierung hat am Dienstag angekündigt, den Mindestlohn im nächsten Jahr zu erhöhen.",
    "Le gouvernement a annoncé mardi qu'il augmenterait le salaire minimum l'année prochaine.",
    "Правительство объявило во вторник, что в следующем году повысит минимальную зарплату.",
    "政府は火曜日、来年最低賃金を引き上げると発表した。",
    "El gobierno anunció el martes que subirá el salario mínimo el próximo año.",
    "",
]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def reference():
    return LanguageIdentifier.from_model_file(Path(MODEL_DIR) / MODEL_FILE, norm_probs=True)


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("py3langid-*"))


def test_the_mapped_model_answers_as_py3langids_own(cache, reference):
    mapped = langmodel.load_identifier()
    assert isinstance(mapped.tk_nextmove, memoryview)  # mapped, not decompressed
    for text in TEXTS:
        code, probability = mapped.classify(text)
        expected_code, expected_probability = reference.classify(text)
        assert code == expected_code
        assert probability == pytest.approx(expected_probability, rel=1e-6)


def test_one_entry_written_once_then_reused(cache):
    langmodel.load_identifier()
    [entry] = _entries(cache)
    written = {p.name: p.stat().st_mtime_ns for p in entry.iterdir()}
    langmodel.load_identifier()
    assert _entries(cache) == [entry]
    assert {p.name: p.stat().st_mtime_ns for p in entry.iterdir()} == written
    assert not list(cache.glob(".partial-*"))


def test_an_unwritable_cache_falls_back_to_decompressing(tmp_path, monkeypatch, reference):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(blocker / "cache"))
    identifier = langmodel.load_identifier()
    assert not isinstance(identifier.tk_nextmove, memoryview)
    assert identifier.classify(TEXTS[1])[0] == reference.classify(TEXTS[1])[0] == "de"


def test_a_truncated_entry_is_not_used(cache, reference):
    langmodel.load_identifier()
    [entry] = _entries(cache)
    data = entry / "arrays.bin"
    os.truncate(data, data.stat().st_size // 2)
    identifier = langmodel.load_identifier()
    assert not isinstance(identifier.tk_nextmove, memoryview)
    assert identifier.classify(TEXTS[2])[0] == reference.classify(TEXTS[2])[0] == "fr"


def test_the_cache_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("SCRAPER_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert langmodel.cache_root() == tmp_path / "xdg" / "scraper"
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path / "mine"))
    assert langmodel.cache_root() == tmp_path / "mine"
