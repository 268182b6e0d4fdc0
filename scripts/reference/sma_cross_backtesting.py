"""Reference trades for the parity test: SMA(10/20) cross, long-only, next-open fills, in backtesting.py.

usage: python scripts/reference/sma_cross_backtesting.py [BARS_CSV] [OUT_CSV]
       (defaults: data/sample/NVDA_1h.csv, Tests/Fixtures/parity/backtesting_py_sma_cross.csv)
Also writes OUT_CSV with `_events` before `.csv`: every cross event (time, +1 up / -1 down) as backtesting.py's
own indicators saw it, which the Swift test turns into predictions; near-equal SMAs make float rounding decide
some crosses, so the events come from the reference rather than from a second SMA implementation.
Needs: pip install backtesting==0.6.6 pandas

Rules: buy 10 units at the next bar's open when SMA(10) crosses above SMA(20) (strictly: below on the previous
bar, above on this one) and no position is open; close at the next bar's open when SMA(10) crosses below SMA(20).
Zero commission and spread, cash 10,000, a trade still open at the end is left open. The output lists the closed
trades and then the open one (exit columns empty).
"""
import sys
import warnings

import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover


def sma(values, n):
    return pd.Series(values).rolling(n).mean()


class SmaCross(Strategy):
    events = []

    def init(self):
        self.fast = self.I(sma, self.data.Close, 10)
        self.slow = self.I(sma, self.data.Close, 20)

    def next(self):
        when = self.data.index[-1]
        if crossover(self.fast, self.slow):
            SmaCross.events.append((when, 1))
        elif crossover(self.slow, self.fast):
            SmaCross.events.append((when, -1))
        if crossover(self.fast, self.slow):
            if not self.position:
                self.buy(size=10)
        elif crossover(self.slow, self.fast):
            if self.position:
                self.position.close()


def main():
    bars = sys.argv[1] if len(sys.argv) > 1 else "data/sample/NVDA_1h.csv"
    out = sys.argv[2] if len(sys.argv) > 2 else "Tests/Fixtures/parity/backtesting_py_sma_cross.csv"
    df = pd.read_csv(bars, index_col=0, parse_dates=True)[["Open", "High", "Low", "Close", "Volume"]].astype(float)
    bt = Backtest(df, SmaCross, cash=10_000, commission=0.0, spread=0.0, margin=1.0, trade_on_close=False,
                  hedging=False, exclusive_orders=False, finalize_trades=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = bt.run()
    fmt = "%Y-%m-%dT%H:%M:%S"
    rows = ["entry_time,entry_price,exit_time,exit_price,size"]
    for t in stats._trades.itertuples():
        rows.append(f"{t.EntryTime.strftime(fmt)},{t.EntryPrice!r},{t.ExitTime.strftime(fmt)},{t.ExitPrice!r},{t.Size}")
    for t in stats._strategy.trades:
        rows.append(f"{t.entry_time.strftime(fmt)},{t.entry_price!r},,,{t.size}")
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")
    events_out = out[:-4] + "_events.csv"
    with open(events_out, "w") as f:
        f.write("Time,event\n" + "".join(f"{t.strftime(fmt)},{e}\n" for t, e in SmaCross.events))
    print(f"{len(rows) - 1} trades written to {out}, {len(SmaCross.events)} cross events to {events_out}")


if __name__ == "__main__":
    main()
