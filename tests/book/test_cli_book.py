"""`kit book`: its commands, their errors, and the preview server."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path

from kit.book.preview import preview_server
from tests.conftest import run_cli


def test_book_commands_are_listed() -> None:
    code, out = run_cli("book", "--help")
    assert code == 0
    assert "build" in out and "serve" in out
    code, out = run_cli("book", "build", "--help")
    assert "--no-execute" in out and "-o, --output" in out


def test_out_is_a_hidden_alias_of_output(sample_course: Path, tmp_path: Path) -> None:
    for command in ("build", "serve"):
        code, out = run_cli("book", command, "--help")
        assert code == 0 and "--out " not in out and "--output" in out
    # the old name still chooses the folder: serve looks for the book there
    code, out = run_cli("book", "serve", str(sample_course), "--out", str(tmp_path / "old"))
    assert code == 1 and str(tmp_path / "old") in out.replace("\n", "")


def test_build_of_a_missing_course_fails_clearly(tmp_path: Path) -> None:
    code, out = run_cli("book", "build", str(tmp_path / "nowhere"))
    assert code == 1
    assert "course folder not found" in out


def test_serve_before_build_says_what_to_do(sample_course: Path, tmp_path: Path) -> None:
    code, out = run_cli("book", "serve", str(sample_course), "-o", str(tmp_path / "none"))
    assert code == 1
    assert "no built book" in out and str(tmp_path / "none") in out.replace("\n", "")
    assert "fix: run 'kit book build" in out


def test_preview_server_serves_the_folder(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>Book</h1>", encoding="utf-8")
    server = preview_server(tmp_path, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert response.read() == b"<h1>Book</h1>"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
