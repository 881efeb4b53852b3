"""Title patterns: case-insensitive, checked on write, and stopped when they take too long."""

from __future__ import annotations

import time

import pytest

from adapters.feeds import RegexTitlePatterns
from dispatch_domain import InvalidInput
from dispatch_domain.subscriptions import TitleSelection
from dispatch_domain.testing import PlainTitlePatterns

TITLES = [
    "[LoliHouse] Frieren - 01 [1080p]",
    "[LoliHouse] Frieren - 01 [720p]",
    "[SubsPlease] Dandadan - 01 (1080p)",
]


@pytest.fixture(params=[RegexTitlePatterns(), PlainTitlePatterns()], ids=["regex", "plain"])
def patterns(request: pytest.FixtureRequest) -> RegexTitlePatterns | PlainTitlePatterns:
    return request.param  # type: ignore[no-any-return]


def test_include_and_exclude_are_case_insensitive_searches(patterns) -> None:  # type: ignore[no-untyped-def]
    assert patterns.select(TITLES, "frieren", None) == TitleSelection((0, 1))
    assert patterns.select(TITLES, None, "720P") == TitleSelection((0, 2))
    assert patterns.select(TITLES, "1080p", "dandadan") == TitleSelection((0,))
    assert patterns.select(TITLES, None, None) == TitleSelection((0, 1, 2))


def test_an_invalid_pattern_is_refused_with_the_reason(patterns) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="not a valid regular expression"):
        patterns.check("([unclosed")


def test_a_pathological_pattern_is_stopped_and_what_it_did_not_judge_is_left_out() -> None:
    patterns = RegexTitlePatterns(budget=0.2)
    titles = ["a" * 40 + "!" for _ in range(50)]
    started = time.monotonic()

    selection = patterns.select(titles, r"^(a|aa)+$", None)

    assert time.monotonic() - started < 2.0
    assert selection.wanted == ()
    assert selection.problem == "include pattern took over 0.2 s; 50 items left out"


def test_a_slow_exclude_pattern_leaves_the_unjudged_titles_out_too() -> None:
    patterns = RegexTitlePatterns(budget=0.2)
    titles = ["fine title", *("a" * 40 + "!" for _ in range(3))]

    selection = patterns.select(titles, None, r"^(a|aa)+$")

    assert selection.wanted == (0,)
    assert selection.problem == "exclude pattern took over 0.2 s; 3 items left out"
