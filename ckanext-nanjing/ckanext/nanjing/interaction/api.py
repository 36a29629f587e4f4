"""What other features may use of 互动交流: the tables (read only) and the
rules (states, kinds, clock), and the month's figures per body."""
from .figures import empty_figures, monthly_figures
from .model import Answer, Event, Item, Vote
from .rules import OPEN_STATES, PUBLIC_STATES, STATES, kinds, standing

__all__ = ["empty_figures", "monthly_figures", "Answer", "Event", "Item", "Vote", "OPEN_STATES",
           "PUBLIC_STATES", "STATES", "kinds", "standing"]
