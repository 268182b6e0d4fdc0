/// Why a journal cannot be opened, read or written. Messages name the file.
public struct JournalError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code { case sqlite, notAJournal, newerSchema, missingSession }
    private let code: Code
    public let description: String

    static func sqlite(_ path: String, _ message: String) -> JournalError {
        JournalError(code: .sqlite, description: "\(path): \(message)")
    }

    static func notAJournal(_ path: String, _ why: String) -> JournalError {
        JournalError(code: .notAJournal, description: "\(path): not a TradeMesh journal (\(why)); it was left untouched")
    }

    static func newerSchema(_ path: String, found: Int, supported: Int) -> JournalError {
        JournalError(code: .newerSchema, description: "\(path): journal schema version \(found) is newer than this "
                     + "build reads (\(supported)); use a newer TradeMesh — the file was left untouched")
    }

    static func missingSession(_ path: String) -> JournalError {
        JournalError(code: .missingSession, description: "\(path): the journal holds no session (no manifest)")
    }
}
