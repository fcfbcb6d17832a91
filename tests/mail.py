"""Email backends for tests: scripted answers, counted connections, a durable record."""

import itertools
import os
import time

from anymail.backends.test import EmailBackend
from django.core.mail.backends.base import BaseEmailBackend


class ScriptedBackend(EmailBackend):
    """Each send takes the next scripted answer: an exception to raise, or None for "sent".

    A raised error means the provider refused the message, so it is not added to
    ``django.core.mail.outbox``; with nothing scripted every send succeeds.
    """

    script: list = []

    def post_to_esp(self, payload, message):
        if ScriptedBackend.script:
            answer = ScriptedBackend.script.pop(0)
            if answer is not None:
                raise answer
        return super().post_to_esp(payload, message)


class CountingBackend(BaseEmailBackend):
    """Counts the connections it opens, as Django's SMTP backend opens them.

    ``send_messages()`` opens a connection when none is open and closes the one it
    opened; a caller that opens one first sends every message over it.
    """

    opened = 0
    sent: list = []
    #: answers, one per message: an exception to raise, a function to call first, or
    #: None for "sent"
    script: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = None

    def open(self):
        if self.connection is not None:
            return False
        CountingBackend.opened += 1
        self.connection = CountingBackend.opened
        return True

    def close(self):
        self.connection = None

    def send_messages(self, messages):
        created = self.open()
        try:
            for message in messages:
                answer = CountingBackend.script.pop(0) if CountingBackend.script else None
                if callable(answer):
                    answer()  # a test's hook, such as waiting for a signal
                elif answer is not None:
                    raise answer
                CountingBackend.sent.append((self.connection, message))
            return len(messages)
        finally:
            if created:
                self.close()


class RecordingBackend(BaseEmailBackend):
    """The provider of a real worker's test: each message it accepts is a line appended
    to the file ``MENTORING_SEND_LOG`` names and fsynced, before the worker hears back.

    A line holds the message's ``outbox_id``, its ``send_number`` and the connection it
    went over (the process id and a counter). Each message takes ``MENTORING_SEND_DELAY``
    seconds, half before it is recorded and half after, like a provider's round trip.
    """

    _connections = itertools.count(1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = None

    def open(self):
        if self.connection is not None:
            return False
        self.connection = f"{os.getpid()}-{next(self._connections)}"
        return True

    def close(self):
        self.connection = None

    def send_messages(self, messages):
        created = self.open()
        delay = float(os.environ.get("MENTORING_SEND_DELAY", "0")) / 2
        try:
            for message in messages:
                time.sleep(delay)
                metadata = message.metadata
                line = f"{metadata['outbox_id']} {metadata['send_number']} {self.connection}\n"
                fd = os.open(
                    os.environ["MENTORING_SEND_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT
                )
                try:
                    os.write(fd, line.encode())
                    os.fsync(fd)
                finally:
                    os.close(fd)
                time.sleep(delay)
            return len(messages)
        finally:
            if created:
                self.close()
