#!/usr/bin/env python3
"""Real-looking service logs for bench/storage.sh: LINES lines (argv[1]) from seed argv[2], to stdout.

Four formats mixed at random, in equal parts: nginx-style access logs (200 recurring client addresses,
6 paths with numeric ids < 500, status 200 or 404 one time in ten, sizes 200..2199), Java application logs
(ISO time with millis, levels weighted INFO 3 : DEBUG 1 : WARN 1 : ERROR 1, 20 executor threads, 4 class
names, a rising order id and a duration < 300 ms), JSON logs (epoch millis, level, user key < 2000, a 64-bit
trace id from a pool of 32 in-flight requests, one in eight replaced per line) and syslog lines (4 hosts,
pids 1000..1199, one of the 200 clients). Time advances 0..19 ms per line. Mean line ~100 bytes.
"""
import random
import sys
import time

lines, seed = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1
r = random.Random(seed)
paths = ["/api/orders", "/api/users/", "/static/app.js", "/healthz", "/api/cart/items", "/login"]
classes = ["com.shop.order.OrderService", "com.shop.http.RequestFilter", "org.hibernate.SQL",
           "com.shop.payment.StripeClient"]
levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]
clients = ["10.%d.%d.%d" % (r.randrange(8), r.randrange(255), r.randrange(255)) for _ in range(200)]
traces = [0] * 32
t = 1_700_000_000_000
order = 4_000_000
out = sys.stdout
buf = []
for i in range(lines):
    t += r.randrange(20)
    if r.randrange(8) == 0:
        traces[r.randrange(32)] = r.getrandbits(64)
    kind = r.randrange(4)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 1000))
    if kind == 0:
        line = '%s - - [%s] "GET %s%d HTTP/1.1" %d %d "-" "Mozilla/5.0"' % (
            r.choice(clients), stamp, r.choice(paths), r.randrange(500), 404 if r.randrange(10) == 0 else 200,
            200 + r.randrange(2000))
    elif kind == 1:
        order += r.randrange(3)
        line = "%s.%03d %-5s [http-nio-8080-exec-%d] %s - processed order %d in %d ms" % (
            stamp, t % 1000, r.choice(levels), r.randrange(20), r.choice(classes), order, r.randrange(300))
    elif kind == 2:
        line = '{"ts":%d,"level":"%s","msg":"cache miss","key":"user:%d","trace":"%016x"}' % (
            t, r.choice(levels).lower(), r.randrange(2000), r.choice(traces))
    else:
        line = "<86>%s host-%d sshd[%d]: Accepted publickey for deploy from %s" % (
            time.strftime("%b %d %H:%M:%S", time.gmtime(t // 1000)), r.randrange(4), 1000 + r.randrange(200),
            r.choice(clients))
    buf.append(line)
    if len(buf) >= 10000:
        out.write("\n".join(buf) + "\n")
        buf = []
if buf:
    out.write("\n".join(buf) + "\n")
