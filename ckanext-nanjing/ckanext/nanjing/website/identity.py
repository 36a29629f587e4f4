"""Who runs the site, as 国办发〔2017〕47号 asks every government website to
show it: 主办单位 and 承办单位, how to reach them, the 网站标识码, the ICP
and 公安机关 filing numbers and the 党政机关网站标识. All from config
(ckanext.nanjing.site.*), shown in the footer of every page and on 关于本站."""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Mapping

import ckan.plugins.toolkit as tk

__all__ = ["Fact", "SiteIdentity", "site_identity", "missing_fields"]

# The national filing systems the numbers are checked at.
ICP_LOOKUP = "https://beian.miit.gov.cn/"
POLICE_LOOKUP = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"
# 网站标识码: ten letters or digits (e.g. 3201000001; "bm" and digits for ministries).
IDENTIFIER = re.compile(r"^[0-9A-Za-z]{10}$")

# Config key (after ckanext.nanjing.site.) → the field it fills.
KEYS = ("sponsor", "organizer", "phone", "email", "address", "postcode", "identifier",
        "icp", "police_record", "conac_url", "conac_image")
# What 47号 requires on every page; the rest is shown when configured.
REQUIRED = {"sponsor": "主办单位", "phone": "联系电话", "identifier": "网站标识码",
            "icp": "ICP备案号", "police_record": "公安机关备案号"}


@dataclasses.dataclass(frozen=True)
class Fact:
    """One line of who runs the site, as the footer and 关于本站 list it."""
    label: str  # English msgid, translated when shown
    text: str
    link: str = ""
    label_hidden: bool = False  # the text names itself (苏ICP备…号)


@dataclasses.dataclass(frozen=True)
class SiteIdentity:
    sponsor: str = ""
    organizer: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    identifier: str = ""
    icp: str = ""
    police_record: str = ""
    conac_url: str = ""
    conac_image: str = ""

    @property
    def icp_link(self) -> str:
        return ICP_LOOKUP if self.icp else ""

    @property
    def police_link(self) -> str:
        """The record's page at the Ministry of Public Security, by its digits."""
        code = "".join(re.findall(r"\d", self.police_record))
        return POLICE_LOOKUP.format(code=code) if code else ""

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email or self.address)

    def facts(self, in_footer: bool) -> list[Fact]:
        """What is configured, in order; 关于本站 adds the postal address and
        names the filing numbers, which the footer shows bare."""
        address = self.address
        if address and self.postcode:
            address += f"（{tk._('postcode')} {self.postcode}）"
        listed = [
            Fact("Sponsored by", self.sponsor),
            Fact("Run by", self.organizer),
            Fact("Address", "" if in_footer else address),
            Fact("Telephone", self.phone, "tel:" + re.sub(r"[\s-]", "", self.phone)),
            Fact("Email", self.email, f"mailto:{self.email}"),
            Fact("Website identifier", self.identifier),
            Fact("ICP filing", self.icp, self.icp_link, label_hidden=in_footer),
            Fact("Public security filing", self.police_record, self.police_link,
                 label_hidden=in_footer),
        ]
        return [fact for fact in listed if fact.text]


def _from(config: Mapping[str, Any]) -> SiteIdentity:
    return SiteIdentity(**{key: str(config.get(f"ckanext.nanjing.site.{key}") or "").strip()
                           for key in KEYS})


def site_identity() -> SiteIdentity:
    return _from(tk.config)


def missing_fields(config: Mapping[str, Any]) -> list[str]:
    """The required items not configured, or a 网站标识码 of the wrong shape
    (for `ckan nanjing doctor`)."""
    identity = _from(config)
    problems = [label for key, label in REQUIRED.items() if not getattr(identity, key)]
    if identity.identifier and not IDENTIFIER.match(identity.identifier):
        problems.append(f"网站标识码“{identity.identifier[:30]}”应为 10 位字母或数字")
    return problems
