"""Title patterns on the `regex` library, whose matching takes a timeout: a pattern with
catastrophic backtracking is stopped, never left to hang Core."""

from __future__ import annotations

from collections.abc import Sequence
from time import monotonic

import attrs
import regex

from dispatch_domain.errors import InvalidInput
from dispatch_domain.subscriptions import TitleSelection


@attrs.frozen
class RegexTitlePatterns:
    """`budget` seconds of matching per pattern and selection, whatever the number of titles;
    a pattern that runs out is stopped and every title it did not judge is left out."""

    budget: float = 0.5

    def check(self, pattern: str) -> None:
        try:
            regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
        except (regex.error, OverflowError, RecursionError) as error:
            raise InvalidInput(f"not a valid regular expression: {error}") from error

    def select(
        self, titles: Sequence[str], include: str | None, exclude: str | None
    ) -> TitleSelection:
        judged = list(range(len(titles)))
        problems: list[str] = []
        for field, pattern, keep_matches in (
            ("include", include, True),
            ("exclude", exclude, False),
        ):
            if pattern is None:
                continue
            judged, problem = self._filter(titles, judged, pattern, keep_matches)
            if problem:
                problems.append(f"{field} pattern {problem}")
        return TitleSelection(tuple(judged), "; ".join(problems) or None)

    def _filter(
        self, titles: Sequence[str], indexes: list[int], pattern: str, keep_matches: bool
    ) -> tuple[list[int], str | None]:
        compiled = regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
        deadline = monotonic() + self.budget
        kept = []
        for position, index in enumerate(indexes):
            left = deadline - monotonic()
            try:
                if left <= 0:
                    raise TimeoutError
                found = compiled.search(titles[index], timeout=left) is not None
            except TimeoutError:
                skipped = len(indexes) - position
                return kept, f"took over {self.budget:g} s; {skipped} items left out"
            if found is keep_matches:
                kept.append(index)
        return kept, None
