"""Supervision of disclosure (监督考核) and the yearly report (年度报告)."""
