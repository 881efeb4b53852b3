"""An item's save_path always lands under the download root."""

from __future__ import annotations

import pytest

from adapters.bittorrent.paths import UnsafeSavePath, join_under


@pytest.mark.parametrize(
    ("root", "relative", "expected"),
    [
        ("/data", "show/season 1", "/data/show/season 1"),
        ("/data/", "show", "/data/show"),
        ("/data", "./show//s1/", "/data/show/s1"),
        ("/data", "", "/data"),
        ("/", "show", "/show"),
        ("D:\\Downloads", "show\\s1", "D:\\Downloads\\show\\s1"),
        ("/data", "a..b/c", "/data/a..b/c"),
    ],
)
def test_joins_a_relative_save_path_under_the_root(root: str, relative: str, expected: str) -> None:
    assert join_under(root, relative) == expected


@pytest.mark.parametrize(
    ("root", "absolute", "expected"),
    [
        ("/downloads", "/downloads", "/downloads"),
        ("/downloads", "/downloads/", "/downloads"),
        ("/downloads/", "/downloads/show/s1", "/downloads/show/s1"),
        ("/downloads", "/downloads//show/./s1", "/downloads/show/s1"),
        ("D:\\Downloads", "d:/Downloads/show", "D:\\Downloads\\show"),
        ("/", "/show", "/show"),
    ],
)
def test_takes_an_absolute_save_path_that_lies_under_the_root(
    root: str, absolute: str, expected: str
) -> None:
    assert join_under(root, absolute) == expected


@pytest.mark.parametrize(
    "relative",
    [
        "/etc",
        "/downloads-other",
        "/downloads/../etc",
        "/data/../downloads",
        "\\\\server\\share",
        "C:\\Windows",
        "../outside",
        "show/../../x",
        "a\\..\\..",
        "a\nb",
    ],
)
def test_refuses_a_save_path_that_lies_or_climbs_outside_the_root(relative: str) -> None:
    with pytest.raises(UnsafeSavePath):
        join_under("/data", relative)
    with pytest.raises(UnsafeSavePath):
        join_under("/downloads", relative)
