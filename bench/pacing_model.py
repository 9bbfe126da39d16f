#!/usr/bin/env python3
"""The adaptive controller against a provider with a hidden rate, without the daemon.

One pump claims the next slot as soon as the previous transaction has started (the controller's delay is the gap
between transaction starts); the provider takes at most N transactions in any WINDOW seconds and refuses the rest
(421); each outcome reaches the controller LATENCY seconds after its transaction started. The controller follows
src/MailRelay/RateLimiting/AdaptiveControllerPace.cs (see docs/pacing.md): a refusal remembers the delay it came at
(the limit) and a hold just above it (half a recovery step above it when the last good run went no slower than the
refused pace), and multiplies the delay by m; runs of `threshold` acceptances multiply it by r down to the hold, hold
there for 3 x ln m / ln(1/r) runs and at least 30 s, then probe past the limit in steps of 1/16, 1/8, 1/4, 1/2 and
whole recovery steps (a whole one as soon as a probe run went faster than the limit), forgetting the limit one whole
step past it. A refusal reported before the first slot at the new delay could have been used is an echo of the last
backoff and changes nothing. --old models the controller
before that memory (every refusal x m, every run x r), which saw-tooths to about ln m / (m - 1) of the rate.

Prints the delivered share of the provider's rate and the share of attempts refused once settled (the last 80% of
the run) and, with --change N2, what happens when the provider allows N2 instead of N half-way through: the
share of the new rate and of refusals from 60 s after the change to the end, and the time to follow (from the
change to the first moment from which the next 30 s deliver at least 85% of the new rate with at most 5% refused).
How soon a change is followed depends on where in the controller's cycle it falls: --sweep S repeats the run with the
change moved 0, 2, 4 ... S-2 s later and prints the median and the worst time to follow and the lowest share.

    bench/pacing_model.py [-N 2] [--window 1] [--min 100] [--max 60000] [--initial 1000] [--backoff 2]
                          [--recovery 0.9] [--threshold 3] [--latency 0.2] [--seconds 1200] [--change N2 [--sweep S]] [--old]
"""
import argparse
import collections
import math


class Controller:
    def __init__(self, lo, hi, initial, backoff, recovery, threshold, old=False):
        self.lo, self.hi, self.m, self.r, self.k, self.old = lo, max(hi, lo), backoff, recovery, threshold, old
        self.d = self.clamp(initial)
        self.limit = self.hold = self.good = self.last = self.echo = None
        self.held = self.streak = 0
        self.step = math.log(1 / recovery) if 0 < recovery < 1 else 0.0
        self.hold_runs = max(1, math.ceil(3 * math.log(backoff) / self.step)) if self.step and backoff > 1 else 1

    def clamp(self, d):
        return min(max(d, self.lo), self.hi)

    def claim(self, now):
        self.last = now if self.last is None or self.last + self.d <= now else self.last + self.d
        return self.last

    def accepted(self):
        self.streak += 1
        if self.streak < self.k:
            return
        self.streak, self.good = 0, self.d
        if self.old or self.limit is None:
            self.d = self.clamp(self.d * self.r)
        elif self.d > self.hold:
            self.d, self.held = max(self.clamp(self.d * self.r), self.hold), 0
        else:
            self.held += 1
            runs = self.runs_at(self.hold)
            if self.held > runs:
                # a run faster than the refused pace: a whole step next (which forgets the limit)
                probe = 4 if self.d < self.limit else min(self.held - runs - 1, 4)
                self.d = self.clamp(self.d * math.exp(-self.step * 2 ** probe / 16))
                if self.d <= self.limit * self.r:
                    self.limit = self.hold = None

    def runs_at(self, hold):   # the hold's runs, or as many as fill 30 s at the hold delay when that is more
        return max(self.hold_runs, math.ceil(30 / (hold * self.k))) if hold > 0 else self.hold_runs

    def refused(self, now):
        self.streak = 0
        if self.old:
            self.d = self.clamp(max(self.d, 0.01) * self.m)
            return
        if self.echo is not None and now < self.echo:
            return
        limit, hold = self.d, self.d * math.exp(self.step / 16)
        if self.good is not None:
            probing = self.hold is not None and limit < self.hold and self.held > self.runs_at(self.hold) and self.good <= self.hold
            if probing:
                known = math.sqrt(self.good * self.hold)
            elif self.good <= limit:   # the last good run went no slower than the refused pace: half a step above it
                known = limit * math.exp(self.step / 2)
            else:
                known = min(self.good, limit / self.r)
            hold = max(hold, known)
        self.limit, self.hold, self.held = limit, self.clamp(hold), 0
        self.d = self.clamp(max(self.d, 0.01) * self.m)
        first = self.last + self.d if self.last is not None else now
        self.echo = first if first > now else None


def simulate(ctl, allowed, window, latency, seconds, change=None, change_at=None):
    change_at = seconds / 2 if change_at is None else change_at
    admitted, pending, attempts, now = collections.deque(), [], [], 0.0
    while now < seconds:
        slot = ctl.claim(now)
        pending.sort()
        while pending and pending[0][0] <= slot:
            at, ok = pending.pop(0)
            ctl.accepted() if ok else ctl.refused(at)
        now = slot
        budget = change if change is not None and now >= change_at else allowed
        while admitted and admitted[0] <= now - window:
            admitted.popleft()
        ok = len(admitted) < budget
        if ok:
            admitted.append(now)
        attempts.append((now, ok))
        pending.append((now + latency, ok))
    return attempts


def shares(attempts, start, end, rate):
    inside = [ok for t, ok in attempts if start <= t < end]
    accepted = sum(inside)
    return accepted / (end - start) / rate, (len(inside) - accepted) / max(1, len(inside))


def seconds(follow):
    return "never" if follow is None or follow == math.inf else f"{follow:.0f} s"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-N", type=int, default=2, help="transactions the provider allows per window")
    p.add_argument("--window", type=float, default=1.0, help="seconds")
    p.add_argument("--min", type=float, default=100)
    p.add_argument("--max", type=float, default=60000)
    p.add_argument("--initial", type=float, default=1000)
    p.add_argument("--backoff", type=float, default=2)
    p.add_argument("--recovery", type=float, default=0.9)
    p.add_argument("--threshold", type=int, default=3)
    p.add_argument("--latency", type=float, default=0.2, help="seconds from a transaction's start to its outcome")
    p.add_argument("--seconds", type=float, default=1200)
    p.add_argument("--change", type=int, help="transactions allowed per window from half-way through")
    p.add_argument("--sweep", type=int, help="with --change: also move the change 2, 4 ... SWEEP-2 s later")
    p.add_argument("--old", action="store_true", help="the controller without the memory of the limit")
    a = p.parse_args()

    def controller():
        return Controller(a.min / 1000, a.max / 1000, a.initial / 1000, a.backoff, a.recovery, a.threshold, a.old)

    rate = a.N / a.window
    if a.change is None:
        attempts = simulate(controller(), a.N, a.window, a.latency, a.seconds)
        share, refused = shares(attempts, a.seconds * 0.2, a.seconds, rate)
        print(f"N={a.N} per {a.window:g}s: {100 * share:.1f}% of the rate, {100 * refused:.1f}% refused")
        return
    half, after = a.seconds / 2, a.change / a.window
    runs = []
    for at in [half + k for k in range(0, a.sweep or 1, 2)]:
        attempts = simulate(controller(), a.N, a.window, a.latency, at + half, a.change, at)
        before, _ = shares(attempts, at - 90, at, rate)
        share, refused = shares(attempts, at + 60, at + half, after)
        follow = next((t - at for t in range(int(at), int(at + half) - 30)
                       if (lambda s: s[0] >= 0.85 and s[1] <= 0.05)(shares(attempts, t, t + 30, after))), None)
        runs.append((before, share, refused, follow))
    if not a.sweep:
        before, share, refused, follow = runs[0]
        print(f"N={a.N} -> {a.change} per {a.window:g}s: before {100 * before:.0f}% of the rate; from 60 s after the "
              f"change {100 * share:.1f}% of the new rate, {100 * refused:.1f}% refused; followed in {seconds(follow)}")
        return
    follows = sorted(f if f is not None else math.inf for _, _, _, f in runs)
    print(f"N={a.N} -> {a.change} per {a.window:g}s, the change at {len(runs)} moments over {a.sweep} s: followed in "
          f"{seconds(follows[len(follows) // 2])} (median), {seconds(follows[-1])} at worst; from 60 s after the change at least "
          f"{100 * min(r[1] for r in runs):.1f}% of the new rate, at most {100 * max(r[2] for r in runs):.1f}% refused")


if __name__ == "__main__":
    main()
