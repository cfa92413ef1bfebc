"""Python functions for call_python.csp (see its header comment).

A function named by ``#PRAGMA PYTHON "module:function"`` receives the occam
arguments as Python values (INT as int, BOOL as bool, REAL64 as float, arrays
as sequences) and returns the FUNCTION's result.
"""

import datetime


def days_between(year1, month1, day1, year2, month2, day2):
    """The number of days from the first date to the second."""
    first = datetime.date(year1, month1, day1)
    second = datetime.date(year2, month2, day2)
    return (second - first).days


def weekday(year, month, day):
    """0 for Monday ... 6 for Sunday."""
    return datetime.date(year, month, day).weekday()
