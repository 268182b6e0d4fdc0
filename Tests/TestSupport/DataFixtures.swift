import Foundation

/// Paths of the CSV fixtures and of the bundled sample data, found from this source file's location.
public enum DataFixtures {
    /// The repository root.
    public static var repositoryRoot: String { TestSupport.packageRoot.path }

    public static func bad(_ name: String) -> String { repositoryRoot + "/Tests/Fixtures/csv/bad/" + name }
    public static func good(_ name: String) -> String { repositoryRoot + "/Tests/Fixtures/csv/good/" + name }
    public static func sample(_ name: String) -> String { repositoryRoot + "/data/sample/" + name }
}
