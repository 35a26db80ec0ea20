"""The knowledge base in the customer's language: the English search, and the Chinese one built on first use.

The Chinese search (each article's Chinese version, knowledge_base.chinese, with the multilingual model,
knowledge_base.multilingual, and its own answer rule, ``KnowledgeBaseSettings.for_chinese``) is built the
same way wherever it is needed: the action server answers Chinese customers with it, the agent console
suggests articles to the agents who answer them. It is built on the first Chinese question, so a process
that never sees one never loads the multilingual model.
"""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from knowledge_base.chinese import chinese_view
from knowledge_base.language import CHINESE
from knowledge_base.multilingual import shared_multilingual_embedder
from knowledge_base.search import KnowledgeBase
from knowledge_base.settings import KnowledgeBaseSettings


def chinese_knowledge_base(sessions: sessionmaker, chinese: KnowledgeBaseSettings) -> KnowledgeBase:
    """The search over the articles' Chinese versions; ``chinese`` is ``KnowledgeBaseSettings.for_chinese()``."""
    return KnowledgeBase.from_settings(sessions, shared_multilingual_embedder(), chinese, view=chinese_view)


class KnowledgeBases:
    """One search per language: ``english`` as given, the Chinese one built when first asked for."""

    def __init__(self, english: KnowledgeBase, chinese: KnowledgeBaseSettings) -> None:
        self.english = english
        self._chinese_settings = chinese
        self._chinese: KnowledgeBase | None = None

    def for_language(self, language: str) -> KnowledgeBase:
        """Chinese for ``zh``, English for anything else."""
        if language != CHINESE:
            return self.english
        if self._chinese is None:
            self._chinese = chinese_knowledge_base(self.english.session_factory, self._chinese_settings)
        return self._chinese


__all__ = ["KnowledgeBases", "chinese_knowledge_base"]
