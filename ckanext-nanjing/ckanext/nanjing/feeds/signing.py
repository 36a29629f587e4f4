"""Standard Webhooks signatures (https://www.standardwebhooks.com/): secrets
`whsec_` + base64 of 32 random bytes, and the `webhook-id`,
`webhook-timestamp` and `webhook-signature` headers (`v1,` + base64 of
HMAC-SHA256 over "id.timestamp.body"), made by the reference library. While
a rotated secret is still valid the message carries both signatures, so a
receiver may switch its secret at any time in that window."""
from __future__ import annotations

import base64
import datetime
import secrets as random

from standardwebhooks.webhooks import Webhook

__all__ = ["new_secret", "headers"]

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(random.token_bytes(32)).decode()


def headers(message_id: str, body: bytes, signing_secrets: list[str],
            now: datetime.datetime) -> dict[str, str]:
    """The headers of one attempt, signed with every secret in use."""
    stamp = now.replace(tzinfo=datetime.timezone.utc) if now.tzinfo is None else now
    signatures = " ".join(Webhook(secret).sign(message_id, stamp, body)
                          for secret in signing_secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": signatures, "content-type": "application/json"}
