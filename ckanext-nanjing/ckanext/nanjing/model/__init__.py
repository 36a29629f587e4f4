from .review import Review
from .validation import PublishRequest, Validation

__all__ = ["Review", "Validation", "PublishRequest"]
