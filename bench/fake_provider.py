#!/usr/bin/env python3
"""A mail provider with a hidden rate limit, for bench/pacing.sh.

Listens on one or more loopback addresses at one port (the MX hosts of one provider) and shares one budget
between them: at most RATE transactions in any sliding window of WINDOW seconds. A MAIL FROM over the budget is
answered "421 4.7.28 ... rate limited, try again later" and the connection is closed, as 421 means.

With --change-at T --rate-after N the budget becomes N per window T seconds after the first MAIL FROM (the
provider halving or doubling its limit mid-run); the moment is logged as a "change" event.

Every event is appended to EVENTS as "<seconds> <kind> <connection>", kinds: open, close, accept, limit, change.
Prints "ready" once listening. Standard library only.
"""
import argparse
import asyncio
import collections
import itertools
import time

REPLY_LIMITED = b"421 4.7.28 mx.fakeprovider.test Unusual rate of mail, rate limited, try again later\r\n"


class Provider:
    def __init__(self, rate, window, latency, events, change_at=None, rate_after=None):
        self.rate, self.window, self.latency = rate, window, latency
        self.change_at, self.rate_after, self.first = change_at, rate_after, None
        self.admitted = collections.deque()
        self.ids = itertools.count(1)
        self.events = events

    def log(self, kind, conn):
        self.events.write(f"{time.monotonic():.6f} {kind} {conn}\n")
        self.events.flush()

    def admit(self):
        now = time.monotonic()
        if self.first is None:
            self.first = now
        if self.change_at is not None and now >= self.first + self.change_at:
            self.rate, self.change_at = self.rate_after, None
            self.log("change", 0)
        while self.admitted and self.admitted[0] <= now - self.window:
            self.admitted.popleft()
        if len(self.admitted) >= self.rate:
            return False
        self.admitted.append(now)
        return True

    async def session(self, reader, writer):
        conn = next(self.ids)
        self.log("open", conn)
        closed = False

        def close():
            nonlocal closed
            if not closed:
                closed = True
                self.log("close", conn)

        async def reply(text):
            writer.write(text if isinstance(text, bytes) else text.encode() + b"\r\n")
            await writer.drain()

        try:
            await reply("220 mx.fakeprovider.test ESMTP")
            recipients = 0
            while line := await reader.readline():
                verb = line.split(b" ", 1)[0].strip().upper()
                if verb == b"EHLO":
                    await reply("250-mx.fakeprovider.test\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES")
                elif verb in (b"HELO", b"NOOP", b"RSET"):
                    recipients = 0
                    await reply("250 2.0.0 Ok")
                elif verb == b"MAIL":
                    if not self.admit():
                        self.log("limit", conn)
                        close()
                        await reply(REPLY_LIMITED)
                        return
                    recipients = 0
                    await reply("250 2.1.0 Ok")
                elif verb == b"RCPT":
                    recipients += 1
                    await reply("250 2.1.5 Ok")
                elif verb == b"DATA":
                    if not recipients:
                        await reply("503 5.5.1 No valid recipients")
                        continue
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        pass
                    if self.latency:
                        await asyncio.sleep(self.latency)  # the provider's own processing time
                    for _ in range(recipients):
                        self.log("accept", conn)
                    recipients = 0
                    await reply("250 2.0.0 Ok: queued")
                elif verb == b"QUIT":
                    close()
                    await reply("221 2.0.0 Bye")
                    return
                else:
                    await reply("502 5.5.2 Command not recognized")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            close()
            writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True, help="comma-separated addresses")
    parser.add_argument("--port", type=int, default=25)
    parser.add_argument("--rate", type=int, required=True, help="transactions allowed per window")
    parser.add_argument("--window", type=float, default=1.0, help="seconds")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before answering the final dot")
    parser.add_argument("--events", required=True)
    parser.add_argument("--change-at", type=float, help="seconds after the first MAIL FROM when the budget changes")
    parser.add_argument("--rate-after", type=int, help="transactions allowed per window after --change-at")
    args = parser.parse_args()
    if (args.change_at is None) != (args.rate_after is None):
        parser.error("--change-at and --rate-after go together")
    with open(args.events, "a", encoding="ascii") as events:
        provider = Provider(args.rate, args.window, args.latency, events, args.change_at, args.rate_after)
        servers = [await asyncio.start_server(provider.session, host, args.port) for host in args.listen.split(",")]
        print("ready", flush=True)
        await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main())
