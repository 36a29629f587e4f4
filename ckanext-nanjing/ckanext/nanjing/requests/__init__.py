"""Requests for disclosure (依申请公开, 条例 Arts. 27–45): intake, the
legal lifecycle on the working-day clock, letters, lookup and reminders."""
