import Testing
@testable import MeshKit
@testable import MeshServices

@Suite struct PublishedLogTests {
    @Test func keepsEveryElementInOrderAcrossChunks() {
        var log = PublishedLog<Int>()
        #expect(log.count == 0)
        for i in 0..<20_000 { log.append(i * 3) }
        #expect(log.count == 20_000)
        #expect([0, 1, 8_191, 8_192, 8_193, 16_384, 19_999].allSatisfy { log[$0] == $0 * 3 })
    }
}
