import Foundation
import IBKRProtocol
import TestSupport

/// The byte fixtures the official client produced at server version 200 (`../shared/ibkr/fixtures_v200.json`
/// beside the repository), read once.
enum Fixtures {
    struct File: Decodable {
        var server_version: Int
        var client_messages: [String: ClientMessage]
        var server_messages: [String: ServerMessage]
    }

    struct ClientMessage: Decodable {
        var hex: String
    }

    struct ServerMessage: Decodable {
        var msgId: Int
        var hex: String
        var fieldNames: [String]
        var callbacks: [Callback]
    }

    /// One expected wrapper callback: its name and the values it received.
    struct Callback: Decodable {
        var name: String
        var values: [String: Value]

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            name = try container.decode(String.self)
            values = try container.decode([String: Value].self)
        }
    }

    /// A value as the fixture file spells it.
    enum Value: Decodable, Equatable, CustomStringConvertible {
        case bool(Bool), int(Int), double(Double), string(String), unset

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int.self) {
                self = .int(value)
            } else if let value = try? container.decode(Double.self) {
                self = .double(value)
            } else {
                let text = try container.decode(String.self)
                self = text == "UNSET_DOUBLE" ? .unset : .string(text)
            }
        }

        /// Equal, treating an integer and a double of the same value as equal.
        func matches(_ other: Value) -> Bool {
            switch (self, other) {
            case (.int(let a), .double(let b)), (.double(let b), .int(let a)): Double(a) == b
            default: self == other
            }
        }

        var description: String {
            switch self {
            case .bool(let value): "\(value)"
            case .int(let value): "\(value)"
            case .double(let value): "\(value)"
            case .string(let value): "'\(value)'"
            case .unset: "UNSET"
            }
        }
    }

    static let path = TestSupport.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/ibkr/fixtures_v200.json").path

    static let file: File = {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(File.self, from: data)
        } catch {
            // Without the fixtures the conformance tests cannot run; an empty file makes them fail loudly.
            return File(server_version: 0, client_messages: [:], server_messages: [:])
        }
    }()

    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return result
    }

    /// A frame's payload (fixtures are framed: 4-byte length + payload).
    static func frame(_ hex: String) -> IBKRFrame {
        IBKRFrame(payload: Array(bytes(hex).dropFirst(4)))
    }

    /// Bytes as readable text for comparisons whose failures a person reads: NUL as `|`, other non-printable
    /// bytes as `\xNN`. Equal texts mean equal bytes.
    static func readable(_ bytes: [UInt8]) -> String {
        bytes.map { byte -> String in
            switch byte {
            case 0: "|"
            case UInt8(ascii: "|"), UInt8(ascii: "\\"): "\\x" + String(byte, radix: 16)
            case 0x20...0x7E: String(UnicodeScalar(byte))
            default: "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }.joined()
    }

    /// A payload from field texts, each NUL-terminated.
    static func payload(_ fields: [String]) -> [UInt8] {
        fields.flatMap { Array($0.utf8) + [0] }
    }

    /// The framed bytes of a field list.
    static func framed(_ fields: [String]) -> [UInt8] {
        IBKRFrame(payload: payload(fields)).wireBytes
    }

    /// A `contractDetails` message the official client's decoder consumed exactly (43 fields) at version 200.
    static let contractDetailsFields = [
        "10", "6001", "AAPL", "STK", "", "", "0", "", "SMART", "USD", "AAPL", "NMS", "NMS", "265598",
        "0.01", "", "ACTIVETIM,AD,ALERT,LMT,MKT,STP", "SMART,NASDAQ,ISLAND", "1", "0",
        "APPLE INC \\u00e9", "NASDAQ", "", "Technology", "Computers", "Computers", "US/Eastern",
        "20250102:0400-20250102:2000;20250103:0400-20250103:2000",
        "20250102:0930-20250102:1600;20250103:0930-20250103:1600", "", "", "1", "ISIN",
        "US0378331005", "1", "", "", "26,26,26", "", "COMMON", "0.0001", "0.0001", "100", "0",
    ]

    /// A `completedOrder` message the official client's decoder consumed exactly (102 fields) at version 200.
    static let completedOrderFields = [
        "101", "265598", "AAPL", "STK", "", "0", "?", "", "SMART", "USD", "AAPL", "NMS", "BUY", "10",
        "LMT", "185.25", "0", "DAY", "", "DU1234567", "", "0", "co-43", "1122334456", "0", "0", "0", "",
        "", "", "", "", "", "", "", "", "0", "", "-1", "", "", "", "", "", "", "0", "0", "", "0", "0",
        "", "0", "None", "", "0", "0", "0", "", "0", "0", "", "", "", "0", "0", "0", "", "", "", "", "",
        "IB", "0", "0", "", "0", "Filled", "0", "0", "0", "", "", "", "0", "0", "", "10", "0", "0", "",
        "0", "0", "0", "20250102 09:30:01 US/Eastern", "Filled Size: 10", "", "", "", "", "", "", "0",
        "",
    ]
}
