"""Avatars from this site only. CKAN shows Gravatar's picture for a user
without one (ckan.gravatar_default = disabled turns that off) and any
picture a user links from another site: on an intranet that is a request
that fails, and on the internet one that tells the other site who reads
which page. A linked picture from elsewhere shows CKAN's placeholder."""
from __future__ import annotations

from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = ["is_from_elsewhere", "user_image"]


def is_from_elsewhere(image_url: str | None) -> bool:
    """Whether a stored image_url points to another host. As in CKAN's
    dictization, only an http(s) address is a link; anything else names an
    upload on this site."""
    if not image_url or not image_url.startswith("http"):
        return False
    site = urlsplit(tk.config.get("ckan.site_url") or "").netloc.lower()
    return urlsplit(image_url).netloc.lower() != site


@tk.chained_helper
def user_image(next_helper, user_id: str, size: int = 100):
    # The stored image_url is enough to tell (an upload is a bare file name),
    # so CKAN's user_show, which counts the user's datasets, runs only once,
    # in CKAN's helper, and not at all for a picture from elsewhere.
    user = model.User.get(user_id) if user_id else None
    if user is not None and is_from_elsewhere(user.image_url):
        return tk.h.snippet("user/snippets/placeholder.html", size=size,
                            user_name=user.display_name)
    return next_helper(user_id, size)
