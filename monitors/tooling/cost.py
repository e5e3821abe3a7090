"""Cost at a glance: how often each monitor and the baseline generation run, and the most instance-hours
that can take per day. No prices: they change and differ by region; multiply by your region's price
for the instance type (SageMaker Processing, which monitoring and baseline jobs run on).

A job is billed for the time it runs, at most its max runtime, so runs x instance count x max runtime is
an upper bound; most runs are far shorter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitors.settings.fields import CRON_RE
from monitors.settings.model import Settings

if TYPE_CHECKING:
    from monitors.settings.config import StackPlan

RATE_RE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
EVENTS_CRON_RE = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$")
# CloudWatch bills dashboards per month beyond its free ones (its pricing page); no price here either.
DASHBOARD = "1 CloudWatch dashboard (billed per month beyond CloudWatch's free dashboards)"
MINUTES_PER = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}


@dataclass(frozen=True)
class Frequency:
    per_day: float
    note: str = ""  # how to read per_day when the schedule does not run every day


def monitoring_runs_per_day(expression: str) -> int:
    """Runs per day of a SageMaker monitoring schedule (the cron forms Settings accepts)."""
    m = CRON_RE.match(expression)
    if m is None:
        raise ValueError(f"not a SageMaker monitoring cron expression: {expression!r}")
    if m.group(1) == "*":
        return 24  # hourly
    if m.group(2) is not None:
        return 1  # daily at hour H
    return len(range(int(m.group(3)), 24, int(m.group(4))))  # every N hours from H, within the day


def _field_values(field: str, low: int, high: int) -> int:
    """How many values of [low, high] an EventBridge cron field matches (*, n, a-b, lists, /step)."""
    matched: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            start, end = (int(x) for x in base.split("-", 1))
        else:
            start = int(base)
            end = high if step else start
        matched.update(range(start, end + 1, int(step) if step else 1))
    return len(matched)


def baseline_runs_per_day(expression: str) -> Frequency:
    """Runs per day of an EventBridge schedule expression: rate(N unit) or cron(min hour dom month dow year)."""
    rate = RATE_RE.match(expression)
    if rate:
        return Frequency(1440 / (int(rate.group(1)) * MINUTES_PER[rate.group(2)]))
    cron = EVENTS_CRON_RE.match(expression)
    if cron is None:
        raise ValueError(f"not an EventBridge schedule expression: {expression!r}")
    minute, hour, dom, month, dow, year = cron.groups()
    per_day = _field_values(minute, 0, 59) * _field_values(hour, 0, 23)
    every_day = dom in ("*", "?") and dow in ("*", "?") and month in ("*", "?") and year in ("*", "?")
    return Frequency(per_day, "" if every_day else " on the days it runs")


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def monitor_lines(settings: Settings) -> list[str]:
    lines = []
    for monitor in settings.enabled_monitors:
        view = settings.monitor(monitor)
        options = view.options
        runs = monitoring_runs_per_day(options.schedule_expression)
        count, instance_type, hours = (
            options.instance_count,
            options.instance_type,
            options.max_runtime_in_seconds / 3600,
        )
        lines.append(
            f"cost: {settings.endpoint_name} {monitor}: {runs} run(s)/day x {count} {instance_type} x at most "
            f"{_number(hours)} h = at most {_number(runs * count * hours)} instance-hours/day"
        )
    if settings.baseline_generation_enabled and not settings.baseline_run_on_schedule:
        lines.append(
            f"cost: {settings.endpoint_name} baselines: no scheduled regeneration (baseline_run_on_schedule: false)"
            + (
                f"; one run per monitor at apply time ({len(settings.enabled_monitors)} x "
                f"{settings.baseline_instance_count} {settings.baseline_instance_type} x at most "
                f"{_number(settings.baseline_max_runtime_seconds / 3600)} h)"
                if settings.baseline_run_on_deploy
                else ""
            )
        )
    elif settings.baseline_generation_enabled:
        frequency = baseline_runs_per_day(settings.baseline_schedule_expression)
        jobs = frequency.per_day * len(settings.enabled_monitors)  # one processing job per monitor per run
        hours = settings.baseline_max_runtime_seconds / 3600
        lines.append(
            f"cost: {settings.endpoint_name} baselines: {_number(frequency.per_day)} run(s)/day{frequency.note} "
            f"({settings.baseline_schedule_expression}) x {len(settings.enabled_monitors)} monitor(s) x "
            f"{settings.baseline_instance_count} {settings.baseline_instance_type} x at most {_number(hours)} h = at "
            f"most "
            f"{_number(jobs * settings.baseline_instance_count * hours)} instance-hours/day{frequency.note}"
            + (" (plus one run per monitor at apply time)" if settings.baseline_run_on_deploy else "")
        )
    if settings.dashboard_enabled:
        lines.append(f"cost: {settings.endpoint_name} dashboard: {DASHBOARD}")
    return lines


def overview_lines(plans: Iterable[StackPlan]) -> list[str]:
    """One line per fleet overview dashboard (a shared stack with dashboards)."""
    return [
        f"cost: {plan.name} fleet overview: {DASHBOARD}"
        for plan in plans
        if plan.grouped and any(s.dashboard_enabled for s in plan.endpoints)
    ]


def cost_lines(endpoints: Iterable[Settings]) -> list[str]:
    """One line per enabled monitor and one for baseline generation, per endpoint."""
    return [line for settings in endpoints for line in monitor_lines(settings)]
