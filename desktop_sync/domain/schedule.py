"""When a mailbox is synchronized next: the dynamic schedule, as a pure policy.

About every 5 minutes to start with; mailboxes with new items in recent cycles move toward
2 minutes, quiet ones toward 12; never longer than 12; never shorter than the profile's minimum
polling interval; a little jitter spreads the load. The next run is computed when a cycle ends.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

START_SECONDS = 5 * 60.0
BUSY_SECONDS = 2 * 60.0
QUIET_SECONDS = 12 * 60.0
JITTER = 0.1  # +/- 10 %


@dataclass(frozen=True, slots=True)
class SchedulePolicy:
    start: float = START_SECONDS
    busy: float = BUSY_SECONDS
    quiet: float = QUIET_SECONDS
    busy_step: float = 0.5  # how far toward 2 minutes one busy cycle moves
    quiet_step: float = 0.15  # how far toward 12 minutes one quiet cycle moves
    jitter: float = JITTER

    def next_interval(self, previous: float | None, new_items: int, min_poll: float = 0.0) -> float:
        """The interval to use after a cycle that found ``new_items``, before jitter."""
        current = self.start if previous is None else previous
        if new_items > 0:
            current -= (current - self.busy) * self.busy_step
        else:
            current += (self.quiet - current) * self.quiet_step
        return self._clamp(current, min_poll)

    def with_jitter(self, interval: float, min_poll: float = 0.0, rng: random.Random | None = None) -> float:
        """Spread mailboxes apart, without ever leaving one longer than 12 minutes."""
        draw = (rng or random).uniform(-self.jitter, self.jitter)
        return self._clamp(interval * (1.0 + draw), min_poll)

    def _clamp(self, interval: float, min_poll: float) -> float:
        floor = max(self.busy, min_poll)
        return min(self.quiet, max(floor, interval))
