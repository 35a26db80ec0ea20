"""The knowledge base per customer language: English as given, the Chinese search built once, on first use."""

from __future__ import annotations

from knowledge_base.by_language import KnowledgeBases
from knowledge_base.chinese import chinese_view
from knowledge_base.embedding import Embedder
from knowledge_base.multilingual import MODEL_NAME
from knowledge_base.search import KnowledgeBase
from knowledge_base.settings import ZH_ANSWER_THRESHOLD, KnowledgeBaseSettings


def test_english_as_given_and_the_chinese_search_built_once_with_its_own_model_and_rule() -> None:
    settings = KnowledgeBaseSettings()
    english = KnowledgeBase.from_settings(None, Embedder(settings.embedding_model), settings)  # type: ignore[arg-type]
    bases = KnowledgeBases(english, settings.for_chinese({}))
    assert bases.for_language("en") is english and bases.for_language("fr") is english
    chinese = bases.for_language("zh")
    assert chinese is bases.for_language("zh"), "built once"
    assert chinese.embedder.model_name == MODEL_NAME and chinese.view is chinese_view
    assert chinese.answer_threshold == ZH_ANSWER_THRESHOLD and chinese.session_factory is english.session_factory
