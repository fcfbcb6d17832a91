"""The programme's transactional email: kinds, wording, the outbox, tracking.

Use :func:`queue_email` to send; see ``docs/reference/email.md``.
"""

from . import invitation_kinds  # noqa: F401  (registers the consent step's kinds)
from .kinds import EmailKind, registry
from .outbox import queue_email, resend

__all__ = ["EmailKind", "queue_email", "registry", "resend"]
