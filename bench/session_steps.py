#!/usr/bin/python3
"""Per-step timing of SMTP sessions from a pcap of loopback traffic to one server port (standard library only).

    session_steps.py CAPTURE.pcap PORT

Each connection that starts with the client's SYN inside the capture is cut into turns (consecutive data segments
in one direction). For every reply turn it takes the time from the end of the client's turn before it to the first
byte of the reply ("server: VERB"; "connect" is the SYN to the greeting, "body" the end of the message to its
reply), and for every client turn the time since the end of the last reply ("client, before: VERB"). Prints mean,
p50, p90 and p99 in milliseconds, and the whole session from SYN to the first FIN
(or RST) of either side.
"""
import collections
import statistics
import struct
import sys


def packets(path):
    """(time, source port, destination port, TCP flags, payload length, first payload bytes) per packet."""
    with open(path, 'rb') as capture:
        header = capture.read(24)
        nanoseconds = struct.unpack('<I', header[:4])[0] == 0xa1b23c4d
        link = struct.unpack('<I', header[20:24])[0]
        link_header = {1: 14, 113: 16}.get(link, 0)   # Ethernet (lo), Linux cooked, raw IP
        while True:
            record = capture.read(16)
            if len(record) < 16:
                return
            seconds, fraction, captured, _ = struct.unpack('<IIII', record)
            data = capture.read(captured)
            ip = data[link_header:]
            ip_header = (ip[0] & 15) * 4
            total = struct.unpack('>H', ip[2:4])[0]
            tcp = ip[ip_header:]
            source, destination = struct.unpack('>HH', tcp[:4])
            tcp_header = (tcp[12] >> 4) * 4
            yield (seconds + fraction / (1e9 if nanoseconds else 1e6), source, destination, tcp[13],
                   total - ip_header - tcp_header, tcp[tcp_header:tcp_header + 12])


def verb(head):
    word = head.split(b' ')[0].split(b'\r')[0][:10].decode('latin1')
    return word.upper() if word.isalpha() else 'body'


def main(path, port):
    connections = collections.defaultdict(list)
    for time, source, destination, flags, length, head in packets(path):
        if destination == port:
            connections[source].append((time, 'client', flags, length, head))
        elif source == port:
            connections[destination].append((time, 'server', flags, length, head))

    steps = collections.defaultdict(list)
    sessions = []
    for events in connections.values():
        syn, side, flags, _, _ = events[0]
        if side != 'client' or not flags & 0x02:
            continue   # began before the capture
        turns = []   # [side, first byte, last byte, head]
        for time, side, _, length, head in events:
            if length <= 0:
                continue
            if turns and turns[-1][0] == side:
                turns[-1][2] = time
            else:
                turns.append([side, time, time, head])
        if len(turns) < 4:
            continue
        asked, asked_at, answered_at = 'connect', syn, None
        for side, first, last, head in turns:
            if side == 'server':
                steps['server: ' + asked].append((first - asked_at) * 1e3)
                answered_at = last
            else:
                asked, asked_at = verb(head), last
                if answered_at is not None:
                    steps['client, before: ' + asked].append((first - answered_at) * 1e3)
        closes = [time for time, _, flags, _, _ in events if flags & 0x05]
        if closes:
            sessions.append((closes[0] - syn) * 1e3)

    def quantile(values, p):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    def row(name, values):
        print(f'{name:32} {len(values):6} {statistics.mean(values):8.2f} {quantile(values, .5):8.2f} '
              f'{quantile(values, .9):8.2f} {quantile(values, .99):8.2f}')

    print(f"{'step (ms)':32} {'n':>6} {'mean':>8} {'p50':>8} {'p90':>8} {'p99':>8}")
    for name in sorted(steps, key=lambda n: (not n.startswith('server'), -statistics.mean(steps[n]))):
        row(name, steps[name])
    if sessions:
        row('session, SYN to first FIN', sessions)


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
