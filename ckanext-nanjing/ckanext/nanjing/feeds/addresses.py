"""Where a webhook may be sent (protection against server-side request
forgery): http or https only, no credentials in the address, and every
address the host name resolves to must be on the public internet: private,
loopback, link-local, shared, multicast and reserved addresses are refused,
unless the site's operator lists their network in
ckanext.nanjing.webhooks.allowed_networks (an intranet receiver). The name
is resolved again before each delivery and the connection is made to the
address that was checked, so a name that changes its answer (DNS
rebinding) cannot lead the worker elsewhere."""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

__all__ = ["Refused", "Target", "check_url", "resolve"]

MAX_URL = 2000


class Refused(ValueError):
    """The address may not be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str          # with the query string
    address: str       # the checked IP address to connect to

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == default else f"{shown}:{self.port}"


def _allowed_networks() -> list[ipaddress._BaseNetwork]:
    networks = []
    for item in (tk.config.get("ckanext.nanjing.webhooks.allowed_networks") or "").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise Refused(f"配置项 ckanext.nanjing.webhooks.allowed_networks 中的“{item}”"
                          f"不是有效的网段")
    return networks


def _refusal(address: ipaddress._BaseAddress) -> str | None:
    """Why the platform will not connect to `address`, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return None
    if address.is_loopback:
        return "本机地址"
    if address.is_link_local:
        return "链路本地地址（含云主机元数据地址）"
    if address.is_private or address.is_reserved or address.is_unspecified:
        return "内网或保留地址"
    if address.is_multicast or not address.is_global:
        return "非公网地址"
    return None


def check_url(url: object) -> tuple[str, str, int, str]:
    """The parts of a webhook address, or Refused: (scheme, host, port, path)."""
    if not isinstance(url, str) or not url.strip():
        raise Refused("请填写接收地址（以 http:// 或 https:// 开头）")
    url = url.strip()
    if len(url) > MAX_URL:
        raise Refused(f"接收地址过长（不超过 {MAX_URL} 个字符）")
    if any(ord(char) < 33 for char in url):
        raise Refused("接收地址中不能有空格或控制字符")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("接收地址格式不正确")
    if parts.scheme not in ("http", "https"):
        raise Refused("接收地址只能以 http:// 或 https:// 开头")
    if parts.username is not None or parts.password is not None:
        raise Refused("接收地址中不能包含用户名或密码，请用签名密钥验证来源")
    if not parts.hostname:
        raise Refused("接收地址缺少主机名")
    if parts.fragment:
        raise Refused("接收地址中不能有“#”片段")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """The address checked and resolved now, or Refused."""
    scheme, host, port, path = check_url(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise Refused(f"无法解析接收地址的主机名“{host}”")
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        why = _refusal(address)
        if why:
            raise Refused(f"接收地址“{host}”指向{why} {address}，平台不向其发送"
                          f"（防止服务端请求伪造）。确需发往内网的，请由运维人员在配置项 "
                          f"ckanext.nanjing.webhooks.allowed_networks 中列出该网段")
        addresses.append(str(address))
    return Target(scheme, host, port, path, addresses[0])
