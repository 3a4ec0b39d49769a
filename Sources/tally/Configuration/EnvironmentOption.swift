import ArgumentParser
import Foundation

/// The process environment, read by `Setting`; also the one variable that is not a `Setting` (`PGPASSWORD`, libpq's).
struct EnvironmentResolver {
    var environment: [String: String] = ProcessInfo.processInfo.environment

    /// A setting with no default: the flag, else the variable when set and not empty, else nil.
    func optionalValue(_ flag: String?, _ variable: String) throws -> String? {
        if let flag { return flag }
        guard let text = environment[variable], !text.isEmpty else { return nil }
        return text
    }
}
