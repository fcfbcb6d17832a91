"""Signals of wagtail_mentoring. Each is sent after the transaction that caused it commits.

They are sent by :mod:`wagtail_mentoring.matching.lifecycle`, for other apps: the
package itself connects no receiver to them (its emails and the alumni group are
written inside the change's own transaction). A failing receiver is logged and cannot
undo the change. Connect receivers in your app config's ``ready()``, never by
importing a module for its side effects.
"""

from django.dispatch import Signal

#: A match was proposed. Arguments: ``sender`` (the Match class), ``match``, ``actor``.
match_proposed = Signal()

#: A match was approved and the pair is to be introduced (in a cycle that asks for
#: consent: when the last yes arrives). Arguments: ``sender``,
#: ``match``, ``actor``.
match_approved = Signal()

#: An invitation awaiting consent was declined, or not answered in time. Arguments:
#: ``sender``, ``match``, ``role`` (``"mentor"`` or ``"mentee"``), ``timed_out``.
match_declined = Signal()

#: A proposal was rejected. Arguments: ``sender``, ``match``, ``actor``, ``reason``.
match_rejected = Signal()

#: A match was ended early. Arguments: ``sender``, ``match``, ``actor``, ``reason``
#: (the committee's words; the match's last event holds where the applications went).
match_ended = Signal()

#: A match was completed. Arguments: ``sender``, ``match``, ``actor``.
match_completed = Signal()
