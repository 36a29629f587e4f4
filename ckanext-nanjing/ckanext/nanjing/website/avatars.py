"""Avatars from this site only. CKAN shows Gravatar's picture for a user
without one (ckan.gravatar_default = disabled turns that off) and any
picture a user links from another site: on an intranet that is a request
that fails, and on the internet one that tells the other site who reads
which page. A linked picture from elsewhere shows CKAN's placeholder."""
from __future__ import annotations

from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

__all__ = ["is_from_elsewhere", "user_image"]


def is_from_elsewhere(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    if not parts.netloc:  # a path on this site
        return False
    return parts.netloc.lower() != urlsplit(tk.config.get("ckan.site_url") or "").netloc.lower()


@tk.chained_helper
def user_image(next_helper, user_id: str, size: int = 100):
    try:
        user = tk.get_action("user_show")({"ignore_auth": True}, {"id": user_id})
    except tk.ObjectNotFound:
        return ""
    if is_from_elsewhere(user.get("image_display_url")):
        return tk.h.snippet("user/snippets/placeholder.html", size=size,
                            user_name=user["display_name"])
    return next_helper(user_id, size)
