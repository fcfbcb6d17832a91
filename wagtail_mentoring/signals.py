"""Signals of wagtail_mentoring. Each is sent after the transaction that caused it commits.

Receivers are connected in ``WagtailMentoringConfig.ready()`` (or by the site's own
app config), never by importing a module for its side effects.
"""

from django.dispatch import Signal

#: A match was proposed. Arguments: ``sender`` (the Match class), ``match``, ``actor``.
match_proposed = Signal()

#: A match was approved (the pair is to be introduced). Arguments: ``sender``,
#: ``match``, ``actor``.
match_approved = Signal()

#: A proposal was rejected. Arguments: ``sender``, ``match``, ``actor``, ``reason``.
match_rejected = Signal()

#: A match was ended early. Arguments: ``sender``, ``match``, ``actor``, ``reason``.
match_ended = Signal()

#: A match was completed. Arguments: ``sender``, ``match``, ``actor``.
match_completed = Signal()
