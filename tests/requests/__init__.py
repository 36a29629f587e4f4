"""Tests of the requests for disclosure."""
