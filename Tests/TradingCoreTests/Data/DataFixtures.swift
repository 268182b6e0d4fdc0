/// Paths of the CSV fixtures and of the bundled sample data, found from this source file's location.
enum DataFixtures {
    /// The repository root (this file is `Tests/TradingCoreTests/Data/DataFixtures.swift`).
    static let repositoryRoot: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    static func bad(_ name: String) -> String { repositoryRoot + "/Tests/Fixtures/csv/bad/" + name }
    static func good(_ name: String) -> String { repositoryRoot + "/Tests/Fixtures/csv/good/" + name }
    static func sample(_ name: String) -> String { repositoryRoot + "/data/sample/" + name }
}
