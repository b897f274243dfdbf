# hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
"""A tiny authoritative DNS server for tests: answers A queries for one name with a fixed list
of addresses and TTL, AAAA with no records, every other name with NXDOMAIN; can delay every
answer (a slow resolver). Counts A queries in a file so the test can read them.

Usage: python3 fake_dns.py ADDR PORT NAME IP[,IP...] TTL DELAY_S COUNT_FILE
It runs until killed (the test stops it by PID).
"""
import socket
import struct
import sys
import threading
import time


def main():
    addr, port, name, ips, ttl, delay, count_file = sys.argv[1:8]
    ips = [socket.inet_aton(ip) for ip in ips.split(",")]
    ttl, delay = int(ttl), float(delay)
    name = name.lower().rstrip(".") + "."
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, int(port)))
    count = 0

    def answer(q, peer, qname, qtype):
        if delay > 0:
            time.sleep(delay)
        end = 12
        while q[end] != 0:
            end += q[end] + 1
        end += 5  # root label, QTYPE, QCLASS
        flags = 0x8180 if qname == name else 0x8183  # NOERROR / NXDOMAIN
        records = b""
        n = 0
        if qname == name and qtype == 1:
            for ip in ips:
                records += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, ttl, 4) + ip
                n += 1
        head = q[:2] + struct.pack(">HHHHH", flags, 1, n, 0, 0)
        sock.sendto(head + q[12:end] + records, peer)

    while True:
        q, peer = sock.recvfrom(512)
        if len(q) < 17:
            continue
        i, labels = 12, []
        while i < len(q) and q[i] != 0:
            labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace"))
            i += q[i] + 1
        qname = ".".join(labels).lower() + "."
        qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
        if qname == name and qtype == 1:
            count += 1
            with open(count_file, "w") as f:
                f.write(str(count))
        threading.Thread(target=answer, args=(q, peer, qname, qtype), daemon=True).start()


if __name__ == "__main__":
    main()
