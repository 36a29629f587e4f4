"""Requests for disclosure (依申请公开)."""
