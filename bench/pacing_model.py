#!/usr/bin/env python3
"""The adaptive controller's equilibrium against a provider with a hidden rate, without the daemon.

One stream of sends spaced by the controller's delay d; the provider takes at most R in any second and refuses
the rest (421). The controller follows src/MailRelay/RateLimiting/AdaptiveController.cs: a refusal sets
d = clamp(max(d, floor) * m), every `threshold` acceptances in a row set d = clamp(d * r). Prints, once converged
(after the first 20% of the acceptances), the share of attempts refused and the delivered rate as a fraction of R.

In equilibrium one backoff (x m) balances k acceptances (k / threshold recoveries of x r each):
    m * r^(k / threshold) = 1   =>   k = threshold * ln m / ln(1 / r),   refused share ~ 1 / (k + 1),
and d saw-tooths between d* and m * d* (d* ~ 1/R), so the delivered rate is roughly R * ln(m) / (m - 1).

    bench/pacing_model.py [--rates 5,10,20] [--min 1000] [--max 60000] [--initial 5000] [--backoff 1.5]
                          [--recovery 0.9] [--threshold 5] [--floor 1000]          (ms; the seed's defaults)
"""
import argparse
import collections
import math


def simulate(rate, lo, hi, initial, backoff, recovery, threshold, floor, accepted_total):
    clamp = lambda d: min(max(d, lo), max(hi, lo))
    delay, now, streak = clamp(initial), 0.0, 0
    window, accepted, refused = collections.deque(), [], []
    while len(accepted) < accepted_total:
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= rate:
            refused.append(now)
            streak = 0
            delay = clamp(max(delay, floor) * backoff)
        else:
            window.append(now)
            accepted.append(now)
            streak += 1
            if streak >= threshold:
                streak = 0
                delay = clamp(delay * recovery)
        now += delay
    start = int(accepted_total * 0.2)
    late_refused = sum(1 for t in refused if t >= accepted[start])
    delivered = accepted_total - start
    return late_refused / (late_refused + delivered), delivered / (accepted[-1] - accepted[start]) / rate


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rates", default="5,10,20")
    p.add_argument("--min", type=float, default=1000)
    p.add_argument("--max", type=float, default=60000)
    p.add_argument("--initial", type=float, default=5000)
    p.add_argument("--backoff", type=float, default=1.5)
    p.add_argument("--recovery", type=float, default=0.9)
    p.add_argument("--threshold", type=int, default=5)
    p.add_argument("--floor", type=float, default=1000, help="the controller's backoff floor, ms")
    p.add_argument("--seconds", type=float, default=300, help="length of the run at R")
    a = p.parse_args()
    k = a.threshold * math.log(a.backoff) / math.log(1 / a.recovery)
    print(f"equilibrium without floor: {k:.1f} acceptances per refusal (~{100 / (k + 1):.1f}% refused), "
          f"rate ~{100 * math.log(a.backoff) / (a.backoff - 1):.0f}% of R")
    for rate in (int(x) for x in a.rates.split(",")):
        share, fraction = simulate(rate, a.min / 1000, a.max / 1000, a.initial / 1000, a.backoff, a.recovery,
                                   a.threshold, a.floor / 1000, int(rate * a.seconds))
        print(f"R={rate}/s: converged 421 share {100 * share:.1f}%, delivered {100 * fraction:.0f}% of R")


if __name__ == "__main__":
    main()
