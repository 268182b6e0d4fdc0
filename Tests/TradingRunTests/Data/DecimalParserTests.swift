import Testing
@testable import TradingCore
@testable import TradingRun

/// The byte parser must give exactly `Double(String)`'s value, bit for bit.
@Suite struct DecimalParserTests {
    private func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = Double(text)
        let actual = DecimalParser.parse(text)
        #expect(actual?.bitPattern == expected?.bitPattern,
                "\(text): \(String(describing: actual)) vs \(String(describing: expected))",
                sourceLocation: sourceLocation)
    }

    @Test func handPickedValues() {
        for text in ["0", "-0", "0.0", "1", "+1", "-1.5", "1.", ".5", "100.0305", "99.97", "0.1", "0.30000000000000004",
                     "1e10", "1E-5", "1.5e+3", "123456789012345678", "1234567890123456789", "12345678901234567890",
                     "9007199254740993", "0.000000000000000000000001", "1e22", "1e23", "1e-22", "1e-23",
                     "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "1e309", "inf", "-inf",
                     "nan", "infinity", "0x1p3", "179.76931348623157", "5.0000000000000001", "00012.50"] {
            expectSame(text)
        }
    }

    @Test func rejectsWhatDoubleRejects() {
        for text in ["", "abc", "1.2.3", "1e", "--1", "1,5", "1 2", "e5", ".", "-", "1e+"] {
            #expect(DecimalParser.parse(text) == nil, "\(text)")
            #expect(Double(text) == nil, "\(text)")
        }
    }

    @Test func randomShortestRoundTripStrings() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<50_000 {
            let exponent = Double(Int(rng.next() % 24)) - 12
            var value = rng.nextUniform() * pow10(exponent)
            if rng.next() % 2 == 0 { value = -value }
            expectSame(value.description)
            expectSame(Double(bitPattern: rng.next() >> 2).description)
        }
    }

    @Test func randomFixedDecimals() {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<50_000 {
            let integerDigits = Int(rng.next() % 8)
            let fractionDigits = Int(rng.next() % 14)
            var text = integerDigits == 0 ? "0" : ""
            for k in 0..<integerDigits { text += String(k == 0 ? 1 + rng.next() % 9 : rng.next() % 10) }
            if fractionDigits > 0 {
                text += "."
                for _ in 0..<fractionDigits { text += String(rng.next() % 10) }
            }
            expectSame(text)
            if rng.next() % 4 == 0 { expectSame(text + "e" + String(Int(rng.next() % 40) - 20)) }
        }
    }

    private func pow10(_ e: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(abs(e)) { result *= 10 }
        return e < 0 ? 1 / result : result
    }
}
