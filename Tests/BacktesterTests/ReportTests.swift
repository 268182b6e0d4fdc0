import Foundation
import Testing

/// `report.html`: written by `run`, rewritten identically by `Backtester report`, self-contained, and rendered by
/// a real browser (headless Chromium) with its charts visible and no console errors.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ReportTests {
    typealias T = BacktesterCommandTests

    static var python: String {
        ProcessInfo.processInfo.environment["TRADEMESH_PYTHON"] ?? "/usr/bin/python3"
    }

    static func chromium() -> String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static func execute(_ path: String, _ args: [String]) async throws -> T.Run { try await T.execute(path, args) }

    /// Renders `page` headless; returns the screenshot path and Chromium's log (console messages included).
    static func render(_ page: String, screenshot: String) async throws -> String {
        let browser = try #require(chromium(), "chromium is not installed (scripts/test.sh installs it as root)")
        let r = try await execute(browser, [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            "--window-size=1000,1000", "--virtual-time-budget=2000", "--screenshot=\(screenshot)", "file://\(page)",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stderr
    }

    /// Console errors in a Chromium log: uncaught exceptions and console.error lines.
    static func consoleErrors(_ log: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.contains("CONSOLE") && ($0.contains("Uncaught") || $0.contains("ERROR:CONSOLE")) || $0.contains("Uncaught") }
    }

    @Test func runWritesASelfContainedReportThatRendersWithChartsAndNoErrors() async throws {
        let dir = T.temp()
        let run = try await T.backtester(["run", "--config", "config/backtest.yaml", "--out", dir])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("report.html"))
        let page = dir + "/report.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for part in ["<svg id=\"equity\"", "<svg id=\"drawdown\"", "<svg id=\"price\"", "<svg id=\"trades\"",
                     "Monthly returns", "final_equity", "run_id"] {
            #expect(html.contains(part), "report lacks \(part)")
        }
        // Self-contained: nothing fetched from anywhere.
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("src=") && !html.contains("<link"))

        // The same page again from the files alone.
        let again = try await T.backtester(["report", dir])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: page, encoding: .utf8) == html)

        let log = try await Self.render(page, screenshot: dir + "/shot.png")
        #expect(Self.consoleErrors(log).isEmpty, "\(Self.consoleErrors(log))")
        // The equity line (blue) and the drawdown area (red) are on screen.
        let counts = try await Self.execute(Self.python, ["Tests/report/png_colours.py".absolute, dir + "/shot.png",
                                                    "2563eb", "dc2626"])
        #expect(counts.status == 0, "\(counts.stderr)")
        let numbers = Dictionary(uniqueKeysWithValues: counts.stdout.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            return f.count == 2 ? (String(f[0]), Int(f[1]) ?? 0) : nil
        })
        #expect((numbers["2563eb"] ?? 0) > 1_000, "equity line pixels: \(counts.stdout)")
        #expect((numbers["dc2626"] ?? 0) > 1_000, "drawdown pixels: \(counts.stdout)")
    }

    @Test func theConsoleCheckCatchesAPageWithAnError() async throws {
        let dir = T.temp()
        let page = dir + "/broken.html"
        try "<html><body><p>x</p><script>undefinedFunction();</script></body></html>"
            .write(toFile: page, atomically: true, encoding: .utf8)
        let log = try await Self.render(page, screenshot: dir + "/shot.png")
        #expect(!Self.consoleErrors(log).isEmpty, "\(log)")
    }

    @Test func aDirectoryWithoutResultsIsAClearError() async throws {
        let r = try await T.backtester(["report", T.temp()])
        #expect(r.status == 1)
        #expect(r.stderr.contains("run.json: cannot be read"), "\(r.stderr)")
    }
}

extension String {
    /// A path relative to the package root, made absolute.
    var absolute: String { BacktesterCommandTests.root.appendingPathComponent(self).path }
}
