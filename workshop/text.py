"""Marking the sentences people read, without translating them here.

The domain cannot import Flask-Babel; it marks its sentences with ``N_`` so that the
message extractor finds them, and the web layer translates them when it shows them.
"""


def N_(message: str) -> str:
    return message
