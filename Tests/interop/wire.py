"""A decoder/encoder for the TradeMesh wire format written only from docs/wire.md (pyzmq + struct)."""
import struct

TYPES = {1: "bar", 2: "prediction", 3: "signal", 4: "order", 5: "fill", 6: "position", 7: "denied",
         10: "ready", 11: "ack", 12: "kill", 13: "heartbeat", 14: "end",
         15: "resume", 16: "resend", 17: "kill_ack"}
DIRECTIONS = {0: "FLAT", 1: "LONG", 2: "SHORT"}
SIDES = {0: "BUY", 1: "SELL"}
ORDER_TYPES = {0: "MARKET", 1: "LIMIT", 2: "STOP"}
FILL_REASONS = {0: "signal", 1: "stop", 2: "take_profit", 3: "daily_cap", 4: "end", 5: "kill"}


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def length(self):
        """A length or count: u16, or 0xFFFF followed by the value as a u32."""
        n = self.take("H")
        return self.take("I") if n == 0xFFFF else n

    def string(self):
        n = self.length()
        s = self.data[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s


def split(frame):
    """A message is one frame: the topic, a 0x00 byte, the payload. Returns (topic, payload)."""
    topic, terminator, payload = frame.partition(b"\0")
    assert terminator, "no 0x00 byte ends the topic"
    return topic, payload


def frame(topic, payload):
    return topic + b"\0" + payload


def decode(topic, payload):
    r = Reader(payload)
    version, type_code, source_len, seq, ts_event, ts_init = r.take("BBHQqq")
    assert version == 1, version
    start = 28
    if source_len == 0xFFFF:
        source_len, start = struct.unpack_from("<I", payload, 28)[0], 32
    source = payload[start:start + source_len].decode("utf-8")
    r.pos = start + source_len
    kind = TYPES[type_code]
    m = {"topic": topic.decode(), "type": kind, "seq": seq, "source": source, "ts_event": ts_event, "ts_init": ts_init}
    if kind == "bar":
        m["symbol"] = r.string()
        m["time"] = r.take("q")   # the bar's open, as labelled in the data; the header's ts_event is its close
        m.update(zip(["open", "high", "low", "close", "volume"], r.take("ddddd")))
    elif kind == "prediction":
        m["symbol"] = r.string()
        m["time"] = r.take("q")
        m["predicted_price"], m["predicted_return"] = r.take("dd")
    elif kind == "signal":
        m["symbol"] = r.string()
        m["time"] = r.take("q")
        targets = [r.take("BBd") for _ in range(3)]   # when the account is FLAT, LONG, SHORT
        for key, (direction, _, _) in zip(["when_flat", "when_long", "when_short"], targets):
            m[key] = DIRECTIONS[direction]
        m["size_kind"], m["size"] = ["fraction", "units"][targets[0][1]], targets[0][2]
        predicted = r.take("d")
        m["predicted_return"] = None if predicted != predicted else predicted
    elif kind == "order":
        m["client_order_id"], m["symbol"] = r.string(), r.string()
        side, order_type, qty, price = r.take("BBdd")
        m.update(side=SIDES[side], order_type=ORDER_TYPES[order_type], quantity=qty,
                 price=None if price != price else price)
    elif kind == "fill":
        m["client_order_id"], m["symbol"] = r.string(), r.string()
        side, reason, qty, price, cost = r.take("BBddd")
        m.update(side=SIDES[side], reason=FILL_REASONS[reason], quantity=qty, price=price, cost=cost)
    elif kind == "position":
        m["symbol"] = r.string()
        m.update(zip(["position", "cash", "equity", "realized_pnl", "unrealized_pnl"], r.take("ddddd")))
    elif kind == "ready":
        m["service"] = r.string()
        m["topics"] = [r.string() for _ in range(r.length())]
    elif kind == "ack":
        m["service"] = r.string()
        m["last_seq"] = r.take("Q")
    elif kind == "kill":
        m["reason"] = r.string()
        m["flatten"] = bool(r.take("B"))
    elif kind == "resume":
        m["reason"] = r.string()
        m["proof"] = r.string()
    elif kind == "kill_ack":
        m["service"], m["request_source"] = r.string(), r.string()
        m["request_seq"], m["request_time"], accepted, halted = r.take("QqBB")
        m.update(accepted=bool(accepted), halted=bool(halted), detail=r.string())
    elif kind == "resend":
        m["service"], m["stream_topic"] = r.string(), r.string()
        m["from_seq"] = r.take("Q")
    elif kind == "denied":
        m["client_order_id"], m["symbol"] = r.string(), r.string()
        m["side"] = SIDES[r.take("B")]
        m["quantity"] = r.take("d")
        m["rule"] = r.string()
        limit, observed = r.take("dd")
        m["limit"] = None if limit != limit else limit
        m["observed"] = None if observed != observed else observed
        m["reason"] = r.string()
    elif kind == "end":
        m["service"] = r.string()
        m["stream_topic"] = r.string()
        m["last_seq"] = r.take("Q")
    elif kind == "heartbeat":
        m["service"] = r.string()
        m.update(zip(["messages_in", "messages_out", "dropped", "gaps", "last_seq"], r.take("QQQQQ")))
    assert r.pos == len(payload), "trailing bytes"
    return m


def length(n):
    """A length or count as written on the wire: u16, or 0xFFFF then a u32 from 0xFFFF up."""
    return struct.pack("<H", n) if n < 0xFFFF else struct.pack("<HI", 0xFFFF, n)


def encode_kill(reason, flatten, seq=1, source="pyzmq", ts=0):
    src = source.encode()
    body = length(len(reason.encode())) + reason.encode() + struct.pack("<B", 1 if flatten else 0)
    assert len(src) < 0xFFFF, "a source of 0xFFFF bytes or more needs the header escape (docs/wire.md)"
    return struct.pack("<BBHQqq", 1, 12, len(src), seq, ts, ts) + src + body
