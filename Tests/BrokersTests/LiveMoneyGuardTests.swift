import Testing
@testable import Brokers

@Suite struct LiveMoneyGuardTests {
    @Test func paperAndSimulatedNeedNothing() throws {
        try LiveMoneyGuard.check(broker: .simulated, mode: "paper", account: nil, environment: [:])
        try LiveMoneyGuard.check(broker: .ibkrPaper, mode: "paper", account: "DU123", environment: [:])
    }

    @Test func liveNeedsConfigConfirmationAndAccount() throws {
        do {
            try LiveMoneyGuard.check(broker: .ibkrLive, mode: "paper", account: nil, environment: [:])
            Issue.record("expected a refusal")
        } catch {
            let text = "\(error)"
            #expect(text.contains("`mode: live` in the risk config (it says `paper`)"))
            #expect(text.contains("TRADEMESH_LIVE=I_UNDERSTAND"))
            #expect(text.contains("the account id (--account)"))
        }
        do {
            try LiveMoneyGuard.check(broker: .ibkrLive, mode: "live", account: "U777",
                                     environment: ["TRADEMESH_LIVE": "I_UNDERSTAND", "TRADEMESH_LIVE_ACCOUNT": "U778"])
            Issue.record("expected a refusal")
        } catch {
            #expect("\(error)" == "refusing to trade real money with the ibkr-live broker: missing "
                    + "TRADEMESH_LIVE_ACCOUNT=U777 (the account id, typed again)")
        }
        try LiveMoneyGuard.check(broker: .ibkrLive, mode: "live", account: "U777",
                                 environment: ["TRADEMESH_LIVE": "I_UNDERSTAND", "TRADEMESH_LIVE_ACCOUNT": "U777"])
    }
}
