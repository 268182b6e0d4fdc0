"""Connects the official Interactive Brokers Python client (ibapi-stable 10.50.2) to a TWS API server, places a
market order and waits for its fill, all through ibapi's own socket reader and decoder.

Usage: tws_client.py PORT SYMBOL [QUANTITY]. Prints one JSON object with what ibapi's callbacks received and exits
0 when the order filled (an execution, a commission report with its execId, and orderStatus Filled), 1 otherwise.
"""
import json
import sys
import threading

from ibapi.client import EClient
from ibapi.contract import Contract
from ibapi.order import Order
from ibapi.wrapper import EWrapper


class Client(EWrapper, EClient):
    def __init__(self, symbol, quantity):
        EWrapper.__init__(self)
        EClient.__init__(self, self)
        self.symbol = symbol
        self.quantity = quantity
        self.result = {"accounts": [], "errors": [], "statuses": [], "executions": [], "commissions": []}
        self.order_id = None
        self.done = threading.Event()

    def managedAccounts(self, accountsList):
        self.result["accounts"] = [a for a in accountsList.split(",") if a]

    def nextValidId(self, orderId):
        if self.order_id is not None:
            return
        self.order_id = orderId
        self.result["serverVersion"] = self.serverVersion()
        contract = Contract()
        contract.symbol = self.symbol
        contract.secType = "STK"
        contract.exchange = "SMART"
        contract.currency = "USD"
        order = Order()
        order.action = "BUY"
        order.orderType = "MKT"
        order.totalQuantity = self.quantity
        order.orderRef = "interop-1"
        self.placeOrder(orderId, contract, order)

    def error(self, reqId, errorTime, errorCode, errorString, advancedOrderRejectJson=""):
        self.result["errors"].append({"reqId": reqId, "code": errorCode, "text": errorString})

    def orderStatus(self, orderId, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice,
                    clientId, whyHeld, mktCapPrice):
        self.result["statuses"].append({"orderId": orderId, "status": status, "filled": str(filled),
                                        "avgFillPrice": avgFillPrice})
        self.check()

    def execDetails(self, reqId, contract, execution):
        self.result["executions"].append({"orderId": execution.orderId, "execId": execution.execId,
                                          "side": execution.side, "shares": str(execution.shares),
                                          "price": execution.price, "symbol": contract.symbol,
                                          "orderRef": execution.orderRef})
        self.check()

    def commissionAndFeesReport(self, commissionAndFeesReport):
        self.result["commissions"].append({"execId": commissionAndFeesReport.execId,
                                           "commission": commissionAndFeesReport.commissionAndFees})
        self.check()

    def check(self):
        filled = any(s["status"] == "Filled" for s in self.result["statuses"])
        exec_ids = {e["execId"] for e in self.result["executions"]}
        reported = any(c["execId"] in exec_ids for c in self.result["commissions"])
        if filled and exec_ids and reported:
            self.done.set()


def main():
    port = int(sys.argv[1])
    symbol = sys.argv[2]
    quantity = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    client = Client(symbol, quantity)
    client.connect("127.0.0.1", port, clientId=7)
    reader = threading.Thread(target=client.run, daemon=True)
    reader.start()
    ok = client.done.wait(timeout=20)
    client.result["filled"] = ok
    client.disconnect()
    print(json.dumps(client.result))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
