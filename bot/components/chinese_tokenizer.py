"""A tokenizer for English and Chinese: whitespace for text without Han characters, jieba's segmentation
for text with them ("我的订单到哪里了" → 我 / 的 / 订单 / 到 / 哪里 / 了), so the word n-gram features see
Chinese words and not one token per sentence. Latin words inside Chinese text ("order号") stay words.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SKIPPED = re.compile(r"^[\s\W_]+$")  # spaces and punctuation, in either script


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChineseAwareTokenizer(WhitespaceTokenizer):
    @staticmethod
    def required_packages() -> list[str]:
        return ["jieba"]

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute)
        if not text or not _HAN.search(text):
            return super().tokenize(message, attribute)
        tokens = [Token(word, start) for word, start, _ in _segment(text) if not _SKIPPED.match(word)]
        if not tokens:
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)


def _segment(text: str) -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at INFO on every process start
    return jieba.tokenize(text)


__all__ = ["ChineseAwareTokenizer"]
