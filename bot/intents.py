"""Which intents' turns consult the knowledge base.

The rules send ``ask_faq`` and ``out_of_scope`` to the knowledge-base action and ``nlu_fallback`` to
the two-stage fallback, which answers from it too; a question read as any other intent never reaches
an article. Kept here, next to the rules it mirrors, so the gateway and the benchmarks share one set.
"""

from __future__ import annotations

KNOWLEDGE_BASE_INTENTS = frozenset({"ask_faq", "out_of_scope", "nlu_fallback"})
# The intent a lesson teaches when a knowledge-base question was routed elsewhere.
KNOWLEDGE_BASE_INTENT = "ask_faq"

__all__ = ["KNOWLEDGE_BASE_INTENT", "KNOWLEDGE_BASE_INTENTS"]
