"""The Chinese words the knowledge base uses, to tell which words of a Chinese question it has never seen.

The English search's unfamiliar-word signal (knowledge_base.vocabulary) for Chinese: a question about what
the shop does not have ("有教师折扣吗？") usually names it in a word no article contains. Chinese has no
spaces and the segmenter (jieba) may keep "退货运费" whole where the articles write 退货 and 运费 apart, so a
word counts as known when each pair of adjacent characters in it occurs in some article text: compounds of
known words stay known, a new term (教师: in no article) shows. Single characters are mostly particles and
are not judged. On the Chinese tuning data (variants leave-fold-out, 154 out-of-scope questions), 88% of
out-of-scope questions hold such a word and 36% of in-scope ones.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import cache

HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


@cache
def _segmenter():  # type: ignore[no-untyped-def]
    import jieba  # only a Chinese search needs it; its dictionary loads on first use (about a second)

    jieba.setLogLevel(logging.WARNING)
    return jieba


class ChineseWords:
    def __init__(self, texts: Iterable[str]) -> None:
        # An ASCII text holds no Han (str.isascii reads a flag): at 100,000 English articles scanning every text
        # for Han runs took about 2 s of each rebuild.
        self._pairs = frozenset(
            run[i : i + 2]
            for text in texts
            if not text.isascii()
            for run in HAN_RUN.findall(text)
            for i in range(len(run) - 1)
        )

    def __bool__(self) -> bool:
        """Whether the articles hold any Chinese (an English index has nothing to judge Chinese by)."""
        return bool(self._pairs)

    def knows(self, word: str) -> bool:
        return all(word[i : i + 2] in self._pairs for i in range(len(word) - 1))

    def counts(self, text: str) -> tuple[int, int]:
        """How many of the text's Chinese words (two characters or more) are unknown, and how many there are."""
        if not self._pairs or not HAN_RUN.search(text):
            return 0, 0
        informative = [word for word in _segmenter().lcut(text) if len(word) >= 2 and HAN_RUN.fullmatch(word)]
        return sum(1 for word in informative if not self.knows(word)), len(informative)


__all__ = ["ChineseWords"]
