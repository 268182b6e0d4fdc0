"""Subscribes at the bus backend, waits for a probe message, then decodes COUNT messages with wire.py and prints each as one JSON line.
usage: subscriber.py BACKEND COUNT TIMEOUT_S READY_FILE"""
import json
import os
import sys

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402

backend, count, timeout, ready_file = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.LINGER, 0)
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.setsockopt(zmq.RCVTIMEO, int(timeout * 1000))
sub.connect(backend)
seen = 0
ready = False
while seen < count:
    try:
        frame = sub.recv()
    except zmq.Again:
        sys.exit("timed out after %d of %d messages" % (seen, count))
    message = wire.decode(*wire.split(frame))
    if message["source"] == "probe":
        # The publisher sends probes until this file appears: from here on nothing is lost to a slow join.
        if not ready:
            open(ready_file, "w").close()
            ready = True
        continue
    print(json.dumps(message, sort_keys=True), flush=True)
    seen += 1
