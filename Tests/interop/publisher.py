"""Publishes one ctl.kill message, encoded with wire.py, into the bus frontend once a subscriber is there.
usage: publisher.py FRONTEND REASON"""
import os
import sys

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402

frontend, reason = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
pub = ctx.socket(zmq.XPUB)
pub.setsockopt(zmq.LINGER, 2000)
pub.connect(frontend)
# Wait for the forwarder to pass on a subscription (the tap's), so the message is not lost to a slow join.
pub.setsockopt(zmq.RCVTIMEO, 10000)
pub.recv()
pub.send(wire.frame(b"ctl.kill", wire.encode_kill(reason, True, seq=3)))
pub.close()
ctx.term()
