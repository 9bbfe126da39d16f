#!/usr/bin/env python3
"""A next hop that is down politely: every RCPT gets 451 4.7.1, so every recipient is deferred.

    bench/defer_sink.py PORT STATS_FILE

Counts connections, transactions (MAIL) and RCPT commands, and rewrites STATS_FILE once a second as
"connections=N mails=N rcpts=N". Loopback only; standard library only.
"""
import asyncio
import os
import sys

counts = {"connections": 0, "mails": 0, "rcpts": 0}


async def session(reader, writer):
    counts["connections"] += 1
    writer.write(b"220 defer-sink ESMTP\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-defer-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
            elif verb == b"HELO":
                writer.write(b"250 defer-sink\r\n")
            elif verb == b"MAIL":
                counts["mails"] += 1
                writer.write(b"250 2.1.0 Ok\r\n")
            elif verb == b"RCPT":
                counts["rcpts"] += 1
                writer.write(b"451 4.7.1 Try again later\r\n")
            elif verb == b"DATA":
                writer.write(b"554 5.5.1 No valid recipients\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 2.0.0 Ok\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def report(path):
    while True:
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(" ".join(f"{k}={v}" for k, v in counts.items()) + "\n")
        os.replace(tmp, path)
        await asyncio.sleep(1)


async def main():
    port, stats = int(sys.argv[1]), sys.argv[2]
    server = await asyncio.start_server(session, "127.0.0.1", port, backlog=1024)
    async with server:
        await asyncio.gather(server.serve_forever(), report(stats))


if __name__ == "__main__":
    asyncio.run(main())
