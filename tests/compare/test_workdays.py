"""The shipped holiday table and the working-day arithmetic of filing deadlines."""

from __future__ import annotations

import datetime as dt

from scanner.compare.workdays import add_working_days, calendar, filing_deadline

D = dt.date


def test_the_table_says_what_the_notices_say() -> None:
    cal = calendar()
    assert (cal.first, cal.last) == (D(2025, 1, 1), D(2026, 12, 31))
    assert any("国办发明电〔2024〕12号" in n for n in cal.notices)
    # every adjusted working day is a weekend day, and the notices' weekdays hold
    assert all(day.weekday() >= 5 for day in cal.work)
    assert D(2025, 1, 26).weekday() == 6 and D(2026, 2, 14).weekday() == 5  # 周日, 周六
    assert not cal.working(D(2025, 1, 28)) and not cal.working(D(2025, 2, 4))  # 春节 2025
    assert cal.working(D(2025, 2, 8)) and cal.working(D(2026, 10, 10))  # 调休上班
    assert not cal.working(D(2026, 6, 19)) and cal.working(D(2026, 6, 22))  # 端午 2026
    assert not cal.working(D(2025, 10, 8)) and cal.working(D(2025, 10, 9))  # 国庆中秋 2025


def test_thirty_working_days() -> None:
    # The CAC's date for processors already above the threshold on 2025-06-01
    assert filing_deadline(D(2024, 9, 1)).due == D(2025, 7, 14)
    assert filing_deadline(D(2025, 6, 1)).due == D(2025, 7, 14)
    assert add_working_days(D(2026, 1, 30), 30).due == D(2026, 3, 19)
    over = filing_deadline(D(2026, 12, 1))
    assert (over.due, over.covered) == (D(2027, 1, 12), False)
    assert filing_deadline(D(2026, 10, 1)).covered
