"""Knowledge-base articles, their question variants and stored embeddings."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import relationship

from crm_store.models.base import Base, JSONType, UTCDateTime, utcnow

ARTICLE_STATUSES = ("draft", "published", "archived")
# Where an article came from: the version-controlled files, or the trainer console.
ARTICLE_ORIGINS = ("files", "console")


class Article(Base):
    __tablename__ = "articles"

    id = Column(Integer, primary_key=True)
    slug = Column(String(120), nullable=False, unique=True)
    title = Column(String(300), nullable=False)
    category = Column(String(64), nullable=False)
    tags = Column(JSONType, nullable=False, default=list)
    answer = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default="published")
    origin = Column(String(16), nullable=False, default="files")
    version = Column(Integer, nullable=False, default=1)
    content_hash = Column(String(64), nullable=False)
    # The article in other languages: {"zh": {"title": …, "answer": …, "questions": […]}}.
    translations = Column(JSONType, nullable=False, default=dict, server_default=text("'{}'"))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    questions = relationship(
        "ArticleQuestion", back_populates="article", cascade="all, delete-orphan", order_by="ArticleQuestion.position"
    )


class ArticleQuestion(Base):
    __tablename__ = "article_questions"

    id = Column(Integer, primary_key=True)
    article_id = Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)

    article = relationship("Article", back_populates="questions")


class TextEmbedding(Base):
    """A sentence embedding, keyed by the text's hash and the model, so it is computed once."""

    __tablename__ = "text_embeddings"
    __table_args__ = (UniqueConstraint("model", "text_hash", name="uq_text_embeddings_model_text"),)

    id = Column(Integer, primary_key=True)
    model = Column(String(200), nullable=False)
    text_hash = Column(String(64), nullable=False)
    dimensions = Column(Integer, nullable=False)
    vector = Column(LargeBinary, nullable=False)  # float32, little-endian
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class KnowledgeBaseRevision(Base):
    """One row whose counter goes up with every knowledge-base change, so running processes notice."""

    __tablename__ = "kb_revision"

    id = Column(Integer, primary_key=True)
    revision = Column(Integer, nullable=False, default=0)
    changed_at = Column(UTCDateTime, nullable=False, default=utcnow)


class ArticleVersion(Base):
    """A snapshot of an article after each change: history, diffs and revert."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version", name="uq_article_versions_article_version"),)

    id = Column(Integer, primary_key=True)
    article_id = Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True)
    version = Column(Integer, nullable=False)
    snapshot = Column(JSONType, nullable=False)
    actor = Column(String(100), nullable=False)
    summary = Column(Text, nullable=False, default="")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class NegativeLesson(Base):
    """ "Don't answer this question, or its rewordings, with that article": a trainer's correction.

    ``article_slug`` NULL means nothing the knowledge base has answers it. The slug is a plain string, not a
    foreign key, so the lesson outlives the article's archiving and is simply inert while no such article is
    published.
    """

    __tablename__ = "kb_negative_lessons"

    id = Column(Integer, primary_key=True)
    question = Column(Text, nullable=False)
    article_slug = Column(String(120), nullable=True, index=True)
    actor = Column(String(100), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
