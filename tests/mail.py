"""An anymail test backend whose answers a test can script, one per send."""

from anymail.backends.test import EmailBackend


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
