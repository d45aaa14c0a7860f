"""The OpenAPI document fuzzed with schemathesis against a running server: requests generated
from the document (valid ones and broken ones) never get a server error, and every answer fits
the document (status codes, content type, schemas, the Allow header of a 405).

Bounded in time (about a minute); grading is left out (each start is a process of its own, and
tests/server/test_instructor_api.py covers it).
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest

from kit.server.openapi import DOCUMENT
from tests.server.conftest import INSTRUCTOR, LEARNER, USER_HEADER

CHECKS_LEFT_OUT = [
    # a body can be valid by the document and still name a skill or track the course does not
    # have, which is refused (422); the document cannot list a course's ids
    "positive_data_acceptance",
    # the tests' users are named by a header the document does not describe as a login
    "ignored_auth",
]


@pytest.mark.slow
@pytest.mark.parametrize(("user", "seconds"), [(INSTRUCTOR, 40), (LEARNER, 15)])
async def test_fuzzing_the_api_finds_no_server_error_and_no_answer_off_the_document(
    http_server_client: object,  # the server listening on jp_http_port
    jp_http_port: int,
    jp_base_url: str,
    tmp_path: Path,
    user: str,
    seconds: int,
) -> None:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    process = await asyncio.create_subprocess_exec(
        str(schemathesis),
        "run",
        str(DOCUMENT),
        "--url",
        f"http://127.0.0.1:{jp_http_port}{jp_base_url}kit/api/v1",
        "--header",
        f"{USER_HEADER}: {user}",
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(CHECKS_LEFT_OUT),
        "--exclude-operation-id",
        "startGrading",
        "--max-examples",
        "20",
        "--max-time",
        str(seconds),
        "--seed",
        "1",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=seconds + 120)
    text = out.decode(errors="replace")
    assert process.returncode == 0, text[-6000:]
    assert "Tested: 29" in text, text[-3000:]
    assert "Server error" not in text
    generated = re.search(r"(\d+) generated", text)
    assert generated and int(generated.group(1)) >= 100, text[-3000:]
