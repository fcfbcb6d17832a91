"""One server process for the rate-limit tests, driven through stdin and stdout.

Run as ``python -m tests.ratelimit_worker '<settings as JSON>'`` from the repository.
The worker sets Django up with ``tests.settings`` and the given overrides, prints
``ready``, then answers each ``post`` line for one member at one address as a view
does: ``refused`` when the package says the member is already over the limit,
otherwise it counts the accepted post and answers ``accepted``.
"""

import json
import os
import sys
from types import SimpleNamespace


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.test import override_settings
    from django.test.client import RequestFactory

    from wagtail_mentoring.ratelimit import count_accepted, is_rate_limited

    with override_settings(**json.loads(sys.argv[1])):
        request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")
        request.user = SimpleNamespace(is_authenticated=True, pk=7)
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() != "post":
                continue
            if is_rate_limited(request):
                print("refused", flush=True)
            else:
                count_accepted(request)
                print("accepted", flush=True)


if __name__ == "__main__":
    main()
