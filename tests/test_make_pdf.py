"""scripts/make_pdf.py without a browser: the table of contents it prints, its errors, and how it
reads a PDF back (pages and outline)."""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import pytest
import yaml
from _scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


make_pdf = load_script("make_pdf")


def _entries(entries):
    return [(e.level, e.docname or e.caption) for e in entries]


def test_toc_entries_follow_parts_chapters_sections_and_globs(tmp_path: Path) -> None:
    for name in ("intro.md", "a.ipynb", "b.md", "c.md", "api.md", "api/x.rst", "api/w.rst"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "api" / "notes.txt").write_text("", encoding="utf-8")  # not a page
    toc = {
        "format": "jb-book",
        "root": "intro",
        "parts": [
            {"caption": "First", "chapters": [{"file": "b"}, {"file": "a.ipynb"}]},
            {
                "caption": "Reference",
                "chapters": [{"file": "api", "sections": [{"glob": "api/*"}]}, {"file": "c.md"}],
            },
        ],
    }
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    assert _entries(make_pdf.toc_entries(tmp_path / "_toc.yml")) == [
        (1, "intro"),
        (0, "First"),
        (1, "b"),
        (1, "a"),
        (0, "Reference"),
        (1, "api"),
        (2, "api/w"),
        (2, "api/x"),
        (1, "c"),
    ]


def test_toc_entries_of_the_book_list_every_chapter_in_order() -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = make_pdf.toc_entries(ROOT / "_toc.yml")
    assert entries[0] == make_pdf.TocEntry(1, "book/intro")
    assert [e.caption for e in entries if e.level == 0] == [p["caption"] for p in toc["parts"]]
    listed = [
        chapter["file"].removesuffix(".ipynb").removesuffix(".md")
        for part in toc["parts"]
        for chapter in part["chapters"]
    ]
    assert [e.docname for e in entries if e.level == 1][1:] == listed
    notebooks = {f"notebooks/{p.stem}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks <= {e.docname for e in entries}


def test_toc_entries_refuse_what_is_not_a_book(tmp_path: Path) -> None:
    with pytest.raises(make_pdf.PdfError, match="no table of contents"):
        make_pdf.toc_entries(tmp_path / "_toc.yml")
    (tmp_path / "_toc.yml").write_text("format: jb-article\nroot: intro\n", encoding="utf-8")
    with pytest.raises(make_pdf.PdfError, match="not a jb-book"):
        make_pdf.toc_entries(tmp_path / "_toc.yml")


def test_missing_single_page_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(make_pdf.PdfError, match=r"book/intro\.html does not exist.*make pdf"):
        make_pdf.require_inputs(tmp_path, "book/intro", sys.executable)


def test_missing_chromium_says_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.html").write_text("<html></html>", encoding="utf-8")
    with pytest.raises(make_pdf.PdfError, match="Chromium not found.*ensure-system-package"):
        make_pdf.require_inputs(tmp_path, "book/intro", str(tmp_path / "no-chromium"))
    assert make_pdf.require_inputs(tmp_path, "book/intro", sys.executable) == (
        tmp_path / "book" / "intro.html"
    )


def test_main_without_a_built_page_fails_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(make_pdf, "SINGLE", tmp_path / "singlehtml")
    monkeypatch.setattr(make_pdf, "CHROMIUM", sys.executable)
    assert make_pdf.main(["--no-build", "--output", str(tmp_path / "book.pdf")]) == 1
    assert "the single-page book is missing" in capsys.readouterr().err
    assert not (tmp_path / "book.pdf").exists()


def _tiny_pdf(titles: list[bytes], pages: int, packed: bool = False) -> bytes:
    """A PDF skeleton with ``pages`` pages and one outline item per title."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R /Outlines 3 0 R >>"]
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages)
    objects.append(b"<< /Type /Outlines /Count %d >>" % len(titles))
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    items = [b"<< /Title " + t + b" /Parent 3 0 R /Dest [4 0 R /XYZ 0 0 0] >>" for t in titles]
    if packed:  # outline items inside a compressed object stream, as some writers do
        stream = zlib.compress(b" ".join(items))
        objects.append(
            b"<< /Type /ObjStm /N %d /First 0 /Length %d /Filter /FlateDecode >>\nstream\n"
            % (len(items), len(stream))
            + stream
            + b"\nendstream"
        )
    else:
        objects += items
    body = b"".join(b"%d 0 obj\n" % (n + 1) + obj + b"\nendobj\n" for n, obj in enumerate(objects))
    return b"%PDF-1.4\n" + body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_summarize_pdf_counts_pages_and_reads_outline_titles() -> None:
    hex_title = b"<FEFF" + "1. Sigmoid \u03c3".encode("utf-16-be").hex().encode() + b">"
    data = _tiny_pdf([b"(Contents)", hex_title, rb"(f\(x\) \101)"], pages=3)
    summary = make_pdf.summarize_pdf(data)
    assert summary.pages == 3
    assert summary.outline == ["Contents", "1. Sigmoid \u03c3", "f(x) A"]


def test_summarize_pdf_reads_compressed_object_streams() -> None:
    summary = make_pdf.summarize_pdf(_tiny_pdf([b"(A)", b"(B)"], pages=1, packed=True))
    assert (summary.pages, summary.outline) == (1, ["A", "B"])


def test_summarize_pdf_refuses_other_files() -> None:
    with pytest.raises(make_pdf.PdfError, match="not a PDF"):
        make_pdf.summarize_pdf(b"<html></html>")


def test_check_outline_names_chapters_without_a_bookmark() -> None:
    summary = make_pdf.PdfSummary(
        pages=2, outline=["1. Why nonlinearity", "14. Deep networks: residualconnections"]
    )
    # A heading that wrapped in print loses the space at the break: still found.
    assert (
        make_pdf.check_outline(
            summary, ["1. Why nonlinearity", "14. Deep networks: residual connections"]
        )
        == []
    )
    assert make_pdf.check_outline(summary, ["1. Why nonlinearity", "2. Sigmoid"]) == ["2. Sigmoid"]
