"""Notices owed to people whose records a state released under a
`notify_subject` obligation, and the business-day calendar they fall due on."""

from switch.notices._business_days import business_days_after, federal_holidays, is_business_day
from switch.notices._queries import list_notices, mark_sent

__all__ = [
    "business_days_after",
    "federal_holidays",
    "is_business_day",
    "list_notices",
    "mark_sent",
]
