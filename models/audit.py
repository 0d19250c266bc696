"""The audit log (审计日志): one append-only, hash-chained table of events.

Rows are written by ``app.audit`` in the same transaction as the change they
describe, through Core inserts; the ORM refuses to update or delete them, and
database triggers refuse it as well. ``AuditChainHead`` holds the last hash:
locking its single row serialises appends, so concurrent writers keep one chain.
"""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

GENESIS_HASH = "0" * 64

AUDIT_ACTIONS = (
    "create",
    "update",
    "delete",
    "restore",
    "purge",
    "login",
    "login_failed",
    "account_locked",
    "account_unlocked",
    "logout",
    "export",
    "import",
    "permission_change",
    "transition",
)


class AuditEvent(Model):
    """One audited event: who did what to which record, from where, with the field-level changes."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_actor_name", "actor_name"),
        Index("ix_audit_event_action", "action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(128), nullable=False)
    actor_roles: Mapped[str | None] = mapped_column(String(500))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    request_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    entity_type: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    entity_label: Mapped[str | None] = mapped_column(String(300))
    changes: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.entity_type or ''} {self.entity_id or ''}".strip()


class AuditChainHead(Model):
    """The single row holding the chain's last event; appends lock it first."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False, default=GENESIS_HASH)
