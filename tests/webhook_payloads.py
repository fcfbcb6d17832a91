"""Tracking webhook posts as each provider sends them, to drive anymail's real views.

``webhook(provider, kind, message_id=…, metadata=…)`` gives the URL path, body and
headers of one post: a ``kind`` of event ("bounced", "delivered", "opened", "clicked",
"complained") about one message, carrying the metadata the outbox put in it.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import uuid

RECIPIENT = "amara@example.org"
SECRET = "hook:s3cret"
MAILGUN_KEY = "key-mailgun-webhook-signing"
UNISENDER_KEY = "unisender-go-api-key-0123"
AT = datetime.datetime(2026, 11, 28, 10, 5, tzinfo=datetime.UTC)

#: Providers with a builder below; the first six need only the WEBHOOK_SECRET.
PROVIDERS = [
    "postmark",
    "brevo",
    "sparkpost",
    "sendgrid",
    "mailjet",
    "amazon_ses",
    "mailgun",
    "unisender_go",
]


def basic_auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def message_id(provider: str, n: int) -> str:
    """The message id ``provider`` gives its ``n``-th message, as its events carry it."""
    return {
        "postmark": f"883953f4-6105-42a2-a16a-77a8eac7948{n}",
        "brevo": f"<20261128100{n}.1@smtp-relay.mailin.fr>",
        "sparkpost": f"7047125889412418{n}",
        "sendgrid": f"<14c5d75ce93.dfd.64b469{n}@ismtpd-555>",
        "mailjet": f"1942177783514649{n}",
        "amazon_ses": f"0100018ee2b4f5a8-{n}-e8f4a1b2c3d4-000000",
        "mailgun": f"<20261128100500.{n}.abc@mg.example.org>",
        "unisender_go": f"{n}c0ffee0-5a1e-4bad-b00c-0123456789ab",
    }[provider]


def webhook(
    provider: str,
    kind: str,
    *,
    message_id: str,
    metadata,
    at: datetime.datetime = AT,
    auth: bool = True,
    event_id: str | None = "evt-1",
    timestamp: bool = True,
    recipients: tuple[str, ...] = (RECIPIENT,),
    signing_key: str | None = None,
) -> tuple[str, str, dict]:
    """(path, body, headers) of one post. ``event_id=None`` and ``timestamp=False`` leave
    those out where the provider has them; ``auth=False`` posts without credentials (and
    signs with a guessed key), ``signing_key`` signs with that key."""
    build = globals()[f"_{provider}"]
    if signing_key is None:
        signing_key = {"mailgun": MAILGUN_KEY, "unisender_go": UNISENDER_KEY}.get(provider, "")
        signing_key = signing_key if auth else "a guess"
    args = (kind, message_id, metadata, at, event_id, timestamp, recipients, signing_key)
    body, headers = build(*args)
    if auth:
        headers = {**basic_auth(), **headers}
    return f"/anymail/{provider}/tracking/", body, headers


def _epoch(at) -> int:
    return int(at.timestamp())


def _postmark(kind, mid, metadata, at, event_id, timestamp, recipients, key):
    when = at.isoformat().replace("+00:00", "Z")
    record = {
        "bounced": {"RecordType": "Bounce", "Type": "HardBounce", "BouncedAt": when},
        "delivered": {"RecordType": "Delivery", "DeliveredAt": when},
        "opened": {"RecordType": "Open", "ReceivedAt": when, "FirstOpen": True},
        "clicked": {"RecordType": "Click", "ReceivedAt": when, "OriginalLink": "https://x.org/"},
        "complained": {"RecordType": "SpamComplaint", "Type": "SpamComplaint", "BouncedAt": when},
    }[kind]
    if not timestamp:
        record = {name: value for name, value in record.items() if not name.endswith("At")}
    body = {
        **record,
        "MessageID": mid,
        "Recipient": recipients[0],
        "Email": recipients[0],
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account does not exist.",
        "Metadata": metadata,
    }
    if event_id:
        body["ID"] = event_id
    return json.dumps(body), {}


def _brevo(kind, mid, metadata, at, event_id, timestamp, recipients, key):
    event = {
        "bounced": "hard_bounce",
        "delivered": "delivered",
        "opened": "unique_opened",
        "proxy_open": "proxy_open",
        "clicked": "click",
        "complained": "complaint",
    }[kind]
    body = {"event": event, "email": recipients[0], "message-id": mid, "reason": "no such user"}
    body["X-Mailin-custom"] = metadata if isinstance(metadata, str) else json.dumps(metadata)
    if timestamp:
        body["ts_epoch"] = _epoch(at) * 1000
    return json.dumps(body), {}


def _sparkpost(kind, mid, metadata, at, event_id, timestamp, recipients, key):
    event_class, event_type = {
        "bounced": ("message_event", "bounce"),
        "delivered": ("message_event", "delivery"),
        "opened": ("track_event", "open"),
        "clicked": ("track_event", "click"),
        "complained": ("message_event", "spam_complaint"),
    }[kind]
    event = {
        "type": event_type,
        "transmission_id": mid,
        "rcpt_meta": metadata,
        "raw_rcpt_to": recipients[0],
        "raw_reason": "550 5.1.1 no such user",
        "target_link_url": "https://example.org/",
    }
    if kind == "bounced":
        event["bounce_class"] = "10"
    if timestamp:
        event["timestamp"] = str(_epoch(at))
    if event_id:
        event["event_id"] = event_id
    return json.dumps([{"msys": {event_class: event}}]), {}


def _sendgrid(kind, mid, metadata, at, event_id, timestamp, recipients, key):
    event = {
        "bounced": "bounce",
        "delivered": "delivered",
        "opened": "open",
        "clicked": "click",
        "complained": "spamreport",
    }[kind]
    body = {**metadata} if isinstance(metadata, dict) else {}
    body.update(event=event, email=recipients[0], reason="550 no such user")
    body["smtp-id"] = mid
    if timestamp:
        body["timestamp"] = _epoch(at)
    if event_id:
        body["sg_event_id"] = event_id
    return json.dumps([body]), {}


def _mailjet(kind, mid, metadata, at, event_id, timestamp, recipients, key):
    event = {
        "bounced": "bounce",
        "delivered": "sent",
        "opened": "open",
        "clicked": "click",
        "complained": "spam",
    }[kind]
    body = {"event": event, "email": recipients[0], "MessageID": int(mid) if mid.isdigit() else mid}
    body["Payload"] = metadata if isinstance(metadata, str) else json.dumps(metadata)
    if kind == "bounced":
        body["error"] = "user unknown"
    if timestamp:
        body["time"] = _epoch(at)
    return json.dumps([body]), {}


def _amazon_ses(kind, mid, metadata, at, event_id, timestamp, recipients, key):
    event_type = {
        "bounced": "Bounce",
        "delivered": "Delivery",
        "opened": "Open",
        "clicked": "Click",
        "complained": "Complaint",
    }[kind]
    header = metadata if isinstance(metadata, str) else json.dumps(metadata)
    ses = {
        "eventType": event_type,
        "mail": {
            "messageId": mid,
            "destination": list(recipients),
            "headers": [{"name": "X-Metadata", "value": header}],
        },
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": address, "diagnosticCode": "smtp; 550 5.1.1 no such user"}
                for address in recipients
            ],
        },
        "delivery": {"recipients": list(recipients), "smtpResponse": "250 OK"},
        "complaint": {"complainedRecipients": [{"emailAddress": a} for a in recipients]},
        "open": {},
        "click": {"link": "https://example.org/"},
    }
    sns_id = event_id or str(uuid.uuid4())
    body = {"Type": "Notification", "MessageId": sns_id, "Message": json.dumps(ses)}
    body["TopicArn"] = "arn:aws:sns:eu-west-1:111122223333:ses-events"
    if timestamp:
        body["Timestamp"] = at.isoformat().replace("+00:00", "Z")
    headers = {"HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification", "HTTP_X_AMZ_SNS_MESSAGE_ID": sns_id}
    return json.dumps(body), headers


def _mailgun(kind, mid, metadata, at, event_id, timestamp, recipients, key):
    event = {
        "bounced": "failed",
        "delivered": "delivered",
        "opened": "opened",
        "clicked": "clicked",
        "complained": "complained",
    }[kind]
    token = event_id or uuid.uuid4().hex
    signed_at = str(_epoch(at))
    signature = hmac.new(key.encode(), f"{signed_at}{token}".encode(), hashlib.sha256)
    data = {
        "event": event,
        "severity": "permanent",
        "recipient": recipients[0],
        "message": {"headers": {"message-id": mid.strip("<>")}},
        "user-variables": metadata,
        "delivery-status": {"message": "550 5.1.1 no such user", "description": ""},
    }
    if timestamp:
        data["timestamp"] = at.timestamp()
    body = {
        "signature": {"token": token, "timestamp": signed_at, "signature": signature.hexdigest()},
        "event-data": data,
    }
    return json.dumps(body), {}


def _unisender_go(kind, mid, metadata, at, event_id, timestamp, recipients, key):
    status = {
        "bounced": "hard_bounced",
        "delivered": "delivered",
        "opened": "opened",
        "clicked": "clicked",
        "complained": "spam",
    }[kind]
    data = {
        "job_id": "1a2b3c",
        "metadata": {**metadata, "anymail_id": mid} if isinstance(metadata, dict) else metadata,
        "email": recipients[0],
        "status": status,
        "delivery_info": {
            "delivery_status": "err_user_unknown",
            "destination_response": "550 5.1.1 no such user",
        },
    }
    if timestamp:
        data["event_time"] = at.strftime("%Y-%m-%d %H:%M:%S")
    event = {"event_name": "transactional_email_status", "event_data": data}
    payload = {"events_by_user": [{"user_id": 1, "project_id": "", "events": [event]}]}
    placeholder = "signature-placeholder-5f3a"
    unsigned = json.dumps({"auth": placeholder, **payload})
    digest = hashlib.md5(unsigned.replace(placeholder, key).encode()).hexdigest()
    return unsigned.replace(placeholder, digest), {}


def tracking_paths() -> list[str]:
    """The path (under the mount point) of each of anymail's tracking webhook URLs."""
    from anymail import urls

    return [
        str(pattern.pattern)
        for pattern in urls.urlpatterns
        if (pattern.name or "").endswith("_tracking_webhook") or pattern.name == "mandrill_webhook"
    ]


#: Bodies any provider's webhook may be sent by someone probing it.
JUNK_BODIES = ["", "not json", "{}", "[]", '{"a": [1, {"b": null}], "Type": 7}']


def sweep_cases() -> list[tuple[str, str, str, dict]]:
    """(label, path under the mount point, body, headers): every tracking URL with each
    junk body, and each provider above with a well-formed event whose outbox_id is "²";
    all with the basic-auth credentials."""
    cases = [
        (f"{path} {body!r}", path, body, basic_auth())
        for path in tracking_paths()
        for body in JUNK_BODIES
    ]
    for provider in PROVIDERS:
        url, body, headers = webhook(
            provider, "bounced", message_id="unknown", metadata={"outbox_id": "²"}
        )
        cases.append((f"{provider} outbox_id='²'", url.removeprefix("/anymail/"), body, headers))
    return cases
