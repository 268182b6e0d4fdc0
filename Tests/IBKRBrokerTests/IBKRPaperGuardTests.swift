import Brokers
import IBKRBroker
import Testing

/// Orders go out only when every managed account is a paper account, unless the live-money guard accepted exactly
/// the account traded.
struct IBKRPaperGuardTests {
    @Test func paperAccountsPass() throws {
        try IBKRPaperGuard.check(managedAccounts: ["DU1234567"], account: "DU1234567", liveMoneyAllowed: false)
        try IBKRPaperGuard.check(managedAccounts: ["DF1000", "DU1234567", "DI2000"], account: "DU1234567",
                                 liveMoneyAllowed: false)
        #expect(IBKRPaperGuard.isPaperAccount("DF123"))
        #expect(!IBKRPaperGuard.isPaperAccount("U123"))
        #expect(!IBKRPaperGuard.isPaperAccount("D"))
    }

    @Test func aLiveAccountIdIsRefused() {
        #expect(throws: IBKRPaperGuard.Refusal.self) {
            try IBKRPaperGuard.check(managedAccounts: ["U1234567"], account: "U1234567", liveMoneyAllowed: false)
        }
        // One live account among paper ones is enough to refuse.
        do {
            try IBKRPaperGuard.check(managedAccounts: ["DU1234567", "F7654321"], account: "DU1234567",
                                     liveMoneyAllowed: false)
            Issue.record("accepted a login with a live account")
        } catch {
            #expect(error.description.contains("F7654321 is a live account"))
        }
    }

    @Test func theAccountMustBeOneOfTheLoginAndConfigured() {
        #expect(throws: IBKRPaperGuard.Refusal(description: "account DU2 is not among the accounts of this TWS login (DU1)")) {
            try IBKRPaperGuard.check(managedAccounts: ["DU1"], account: "DU2", liveMoneyAllowed: false)
        }
        #expect(throws: IBKRPaperGuard.Refusal.self) {
            try IBKRPaperGuard.check(managedAccounts: ["DU1"], account: "", liveMoneyAllowed: false)
        }
        #expect(throws: IBKRPaperGuard.Refusal(description: "TWS reported no managed accounts")) {
            try IBKRPaperGuard.check(managedAccounts: [], account: "DU1", liveMoneyAllowed: false)
        }
    }

    @Test func theLiveMoneyGuardStillApplies() throws {
        let full = ["TRADEMESH_LIVE": "I_UNDERSTAND", "TRADEMESH_LIVE_ACCOUNT": "U1234567"]
        #expect(IBKRPaperGuard.liveMoneyAllowed(mode: "live", account: "U1234567", environment: full))
        #expect(!IBKRPaperGuard.liveMoneyAllowed(mode: "paper", account: "U1234567", environment: full))
        #expect(!IBKRPaperGuard.liveMoneyAllowed(mode: "live", account: "U1234567",
                                                 environment: ["TRADEMESH_LIVE": "I_UNDERSTAND"]))
        #expect(!IBKRPaperGuard.liveMoneyAllowed(mode: "live", account: "U7777777", environment: full))
        // Accepted for exactly that account: it may trade, but another live account of the login still refuses.
        try IBKRPaperGuard.check(managedAccounts: ["U1234567"], account: "U1234567", liveMoneyAllowed: true)
        #expect(throws: IBKRPaperGuard.Refusal.self) {
            try IBKRPaperGuard.check(managedAccounts: ["U1234567", "U2"], account: "U1234567", liveMoneyAllowed: true)
        }
    }
}
