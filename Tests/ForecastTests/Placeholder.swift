import Testing
@testable import Forecast
@Test func forecastPlaceholder() {}
