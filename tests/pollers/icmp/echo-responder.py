"""A userspace ICMP echo responder that impairs the link like `tc qdisc netem delay D J loss L`.

Run inside a network namespace whose kernel echo replies are off (net.ipv4.icmp_echo_ignore_all=1):
each echo request is dropped with probability LOSS, else answered after a delay drawn uniformly from
[D - J, D + J] ms. Used where the kernel has no sch_netem (tests/pollers/icmp/impaired-link.ts).
Python because Node has no raw sockets. Prints "ready" once listening; stops on SIGTERM.
Usage: python3 echo-responder.py DELAY_MS JITTER_MS LOSS SEED
"""
import heapq, random, select, signal, socket, struct, sys, time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main() -> None:
    delay, jitter, loss, seed = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    due: list = []  # (monotonic time to send, seq, reply bytes, address)
    n = 0
    while True:
        wait = max(0.0, due[0][0] - time.monotonic()) if due else 1.0
        ready, _, _ = select.select([sock], [], [], wait)
        if ready:
            packet, (src, _) = sock.recvfrom(65535)
            icmp = packet[(packet[0] & 0x0F) * 4:]
            if len(icmp) >= 8 and icmp[0] == 8 and icmp[1] == 0 and rnd.random() >= loss:
                body = b"\0\0\0\0" + icmp[4:]  # type 0 (echo reply), code 0, checksum 0, same id/seq/payload
                reply = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
                n += 1
                ms = delay + rnd.uniform(-jitter, jitter)
                heapq.heappush(due, (time.monotonic() + ms / 1000, n, reply, src))
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, reply, dst = heapq.heappop(due)
            sock.sendto(reply, (dst, 0))


if __name__ == "__main__":
    main()
