"""Mail about applications and grants, through the platform's mailer
(`mail`): plain text, so what an applicant typed can never become markup."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import mail

__all__ = ["to_applicant", "to_stewards"]


def _url(path: str) -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + path


def to_applicant(application, subject: str, lines: list[str]) -> bool:
    user = model.User.get(application.user_id)
    if user is None or not user.email or not mail.configured():
        return False
    body = "\n".join([f"{application.applicant_name}：", "", *lines, "",
                      f"查看详情：{_url('/access/application/' + application.id)}", ""])
    return mail.send(application.applicant_name, user.email,
                     f"{subject}：{application.number}", body, application.number)


def to_stewards(application, subject: str, lines: list[str]) -> int:
    """Mails the editors and admins of the owning body; returns how many were sent."""
    if not mail.configured():
        return 0
    members = (model.Session.query(model.User)
               .join(model.Member, model.Member.table_id == model.User.id)
               .filter(model.Member.group_id == application.organization_id,
                       model.Member.table_name == "user", model.Member.state == "active",
                       model.Member.capacity.in_(("admin", "editor")),
                       model.User.state == "active").all())
    body = "\n".join([*lines, "", f"办理：{_url('/access/application/' + application.id)}", ""])
    return sum(mail.send(user.fullname or user.name, user.email,
                         f"{subject}：{application.number}", body, application.number)
               for user in members if user.email)
