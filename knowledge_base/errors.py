"""The knowledge_base exception hierarchy."""

from __future__ import annotations

from pathlib import Path


class KnowledgeBaseError(Exception):
    code = "knowledge_base_error"


class ArticleFileError(KnowledgeBaseError):
    """One problem in one article file, naming the file and the field at fault."""

    code = "article_file_invalid"

    def __init__(self, path: Path, field: str | None, message: str) -> None:
        self.path = path
        self.field = field
        self.message = message
        where = f"{path}: {field}" if field else str(path)
        super().__init__(f"{where}: {message}")


class ArticleFilesInvalid(KnowledgeBaseError):
    """Every problem found in a directory of article files, so they can all be fixed in one go."""

    code = "article_files_invalid"

    def __init__(self, problems: list[ArticleFileError]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the article files:\n{lines}")


class EmbeddingModelError(KnowledgeBaseError):
    code = "embedding_model_unavailable"
