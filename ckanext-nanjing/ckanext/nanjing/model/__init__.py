from .review import Review

__all__ = ["Review"]
