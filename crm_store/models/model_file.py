"""The bytes of trained models, kept in the database so every host can fetch any of them.

Models used to be files on the host that trained them; with several Rasa replicas on several hosts
the database is the one place all of them (through the gateway's model server) and every gateway can
read. A row is keyed by the model's inputs hash, the same key that names the file
(``deskbot-<hash>.tar.gz``) and that ``ModelRecord.inputs_hash`` holds; a row never changes once written.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, LargeBinary, String
from sqlalchemy.orm import deferred

from crm_store.models.base import Base, UTCDateTime, utcnow


class ModelFile(Base):
    __tablename__ = "model_files"

    inputs_hash = Column(String(64), primary_key=True)
    file_name = Column(String(200), nullable=False)  # the archive's own name, as Rasa reports it in /status
    # Deferred: most reads want the size and checksum, not tens of megabytes.
    content = deferred(Column(LargeBinary, nullable=False))
    size = Column(BigInteger, nullable=False)
    sha256 = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
