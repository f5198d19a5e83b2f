"""`iam` and `gaps` as a person runs them: the console in a real subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_console import console

pytestmark = pytest.mark.integration


def test_iam_and_gaps_in_the_console(tmp_path: Path) -> None:
    run = console(tmp_path,
                  "@alice: !iam gnso",
                  "@bob: !iam IETF",
                  "@alice: Share interpreters between sessions #wp3",
                  "@bob: !gaps 3",
                  "@carol: !gaps 3")
    out = run.stdout
    assert "Done: you belong to GNSO." in out
    assert "There is no group IETF. Groups: ALAC, ASO, ccNSO, GAC, GNSO, RSSAC, SSAC, " \
           "Board, ICANN org, other." in out
    assert "Only staff can use !gaps." in out
    gaps = out[out.index("**Who is missing, over all input so far**"):]
    assert "**3. Efficient use of resources**" in gaps
    assert "By group: GNSO: 1 input, 1 contributor" in gaps
    assert "By platform: console: 1 input, 1 contributor" in gaps
    # The entry's language is detected before the lens is read (no tick has run yet).
    assert "By language: English: 1 input, 1 contributor" in gaps
    assert ("Gaps: only GNSO has spoken · no input in Arabic, Chinese, Spanish, French, "
            "Russian") in gaps
    assert "Traceback" not in run.stderr
