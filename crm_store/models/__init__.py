"""All models, importable from one place (Alembic's autogenerate needs them registered)."""

from crm_store.models.article import (
    Article,
    ArticleQuestion,
    ArticleVersion,
    KnowledgeBaseRevision,
    NegativeLesson,
    TextEmbedding,
)
from crm_store.models.audit import AuditEntry, Note
from crm_store.models.base import Base, utcnow
from crm_store.models.conversation import Conversation, Message
from crm_store.models.customer import ChannelIdentity, Customer
from crm_store.models.follow_up import FollowUp
from crm_store.models.model_file import ModelFile
from crm_store.models.model_record import ModelRecord
from crm_store.models.order import Order, OrderEvent, OrderItem
from crm_store.models.segment import CustomerSegment
from crm_store.models.ticket import Ticket
from crm_store.models.training import TrainingCandidate
from crm_store.models.user import User, UserSession

__all__ = [
    "Article",
    "ArticleQuestion",
    "ArticleVersion",
    "AuditEntry",
    "Base",
    "ChannelIdentity",
    "Conversation",
    "Customer",
    "CustomerSegment",
    "FollowUp",
    "KnowledgeBaseRevision",
    "Message",
    "ModelFile",
    "ModelRecord",
    "NegativeLesson",
    "Note",
    "Order",
    "OrderEvent",
    "OrderItem",
    "TextEmbedding",
    "Ticket",
    "TrainingCandidate",
    "User",
    "UserSession",
    "utcnow",
]
