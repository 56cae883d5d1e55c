"""Make bench/language-labels.json: the language of each dev page's main text, for `make bench`.

The corpora have no language labels. Each page is labelled with the language py3langid finds in
its true text (zyte-dev: the ground-truth articleBody; web-checks-dev: the `with` snippets,
which are the main text), compared with the page's own <html lang> / og:locale. Every page
where the two disagree was read by hand; the few where the text detector was wrong on short
snippets are overridden below with the reason. Run: `python -m bench.label_languages`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import py3langid
from selectolax.lexbor import LexborHTMLParser

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
OUT = Path(__file__).resolve().parent / "language-labels.json"

# Read by hand: the detector's answer on the snippets is not the language of the main text.
OVERRIDES = {
    "web-checks-dev": {
        # German appeal with its Greek translation beside it; the snippets mix both
        "6f3d764fb6c58a29": "de",
        # the only snippet is "PDF:"; the post and its page are German
        "7b186458e48a5432": "de",
    },
}


def markup_language(html: str) -> str | None:
    tree = LexborHTMLParser(html)
    node = tree.css_first("html")
    lang = node.attributes.get("lang") if node is not None else None
    if not lang:
        for meta in tree.css("meta"):
            attrs = meta.attributes
            key = (attrs.get("property") or attrs.get("name") or attrs.get("http-equiv") or "").lower()
            if key in ("og:locale", "content-language", "language"):
                lang = attrs.get("content")
                break
    return (lang or "").replace("_", "-").split("-")[0].lower() or None


def main_texts(name: str) -> dict[str, str]:
    if name == "zyte-dev":
        truth = json.loads((CORPUS / name / "ground-truth.json").read_text(encoding="utf-8"))
        return {key: value["articleBody"] for key, value in truth.items()}
    checks = json.loads((CORPUS / name / "checks.json").read_text(encoding="utf-8"))
    return {key: " ".join(value["with"]) for key, value in checks.items()}


def main() -> None:
    labels: dict[str, dict[str, str]] = {}
    for name in ("zyte-dev", "web-checks-dev"):
        labels[name] = {}
        for key, text in sorted(main_texts(name).items()):
            detected = py3langid.classify(text)[0]
            label = OVERRIDES.get(name, {}).get(key, detected)
            html = gzip.decompress((CORPUS / name / "html" / f"{key}.html.gz").read_bytes())
            marked = markup_language(html.decode("utf-8", "replace"))
            if marked and marked != label:
                print(f"{name} {key}: markup says {marked}, text is {label}")
            labels[name][key] = label
    OUT.write_text(json.dumps(labels, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
