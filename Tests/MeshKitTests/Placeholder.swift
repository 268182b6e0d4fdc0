import Testing
@testable import MeshKit
@Test func placeholder() {}
