import Foundation
import Yams

/// The fault script: a YAML list of entries, each with one trigger (`at_bar: N` or `after_fill: K`) and an
/// `action` (`disconnect`, `error_1100`, `error_1101`, `error_1102`, `reject_next_order`, `pacing_violation`,
/// `duplicate_id`):
///
/// ```yaml
/// - at_bar: 3
///   action: error_1100
/// - after_fill: 1
///   action: disconnect
/// ```
public enum TWSSimScript {
    private struct Entry: Decodable {
        var at_bar: Int?
        var after_fill: Int?
        var action: String?
    }

    /// Reads a script file.
    public static func load(path: String) throws(TWSSimError) -> [TWSSimFault] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .script("\(path): cannot be read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Reads a script's text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(TWSSimError) -> [TWSSimFault] {
        let entries: [Entry]
        do {
            entries = try YAMLDecoder().decode([Entry].self, from: text.isEmpty ? "[]" : text)
        } catch {
            throw .script("\(file): not a YAML list of {at_bar|after_fill, action} entries: \(error)")
        }
        var faults: [TWSSimFault] = []
        for (index, entry) in entries.enumerated() {
            let place = "\(file): entry \(index + 1)"
            let trigger: TWSSimFault.Trigger
            switch (entry.at_bar, entry.after_fill) {
            case (let bar?, nil) where bar >= 1: trigger = .atBar(bar)
            case (nil, let fill?) where fill >= 1: trigger = .afterFill(fill)
            default:
                throw .script("\(place): needs exactly one of 'at_bar' or 'after_fill', a number from 1")
            }
            let names = TWSSimFault.Action.allCases.map(\.rawValue).joined(separator: ", ")
            guard let name = entry.action, let action = TWSSimFault.Action(rawValue: name) else {
                throw .script("\(place): 'action' is '\(entry.action ?? "")', expected one of \(names)")
            }
            faults.append(TWSSimFault(trigger: trigger, action: action))
        }
        return faults
    }
}
