"""Async repositories: each takes an AsyncSession whose transaction the caller owns."""

from crm_store.repositories.articles import ArticleRepository
from crm_store.repositories.audit import AuditRepository
from crm_store.repositories.conversations import ConversationRepository
from crm_store.repositories.customers import CustomerRepository
from crm_store.repositories.follow_ups import FollowUpRepository
from crm_store.repositories.learning import ModelRecordRepository, TrainingCandidateRepository
from crm_store.repositories.model_files import CorruptModelFile, ModelFileRepository, StoredModel
from crm_store.repositories.notes import NoteRepository
from crm_store.repositories.orders import OrderRepository
from crm_store.repositories.segments import SegmentRepository
from crm_store.repositories.tickets import TicketRepository
from crm_store.repositories.users import StaffSessionRepository, UserRepository

__all__ = [
    "ArticleRepository",
    "AuditRepository",
    "ConversationRepository",
    "CorruptModelFile",
    "CustomerRepository",
    "FollowUpRepository",
    "ModelFileRepository",
    "ModelRecordRepository",
    "NoteRepository",
    "OrderRepository",
    "SegmentRepository",
    "StaffSessionRepository",
    "StoredModel",
    "TicketRepository",
    "TrainingCandidateRepository",
    "UserRepository",
]
