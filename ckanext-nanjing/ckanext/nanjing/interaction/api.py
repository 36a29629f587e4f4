"""What other features may use of 互动交流: the tables (read only) and the
rules (states, kinds, clock)."""
from .model import Answer, Event, Item, Vote
from .rules import OPEN_STATES, PUBLIC_STATES, STATES, kinds, standing

__all__ = ["Answer", "Event", "Item", "Vote", "OPEN_STATES", "PUBLIC_STATES", "STATES", "kinds",
           "standing"]
