import ArgumentParser
import Foundation

/// Resolves a setting from its flag, else its `TALLY_*` environment variable, else its default.
///
/// Environment values are parsed exactly like the flag (`ExpressibleByArgument`), and a bad one is an error naming
/// the variable, never silently replaced by the default.
struct EnvironmentResolver {
    var environment: [String: String] = ProcessInfo.processInfo.environment

    func value<T: ExpressibleByArgument>(_ flag: T?, _ variable: String, default fallback: T) throws -> T {
        if let flag { return flag }
        guard let text = environment[variable], !text.isEmpty else { return fallback }
        guard let parsed = T(argument: text) else {
            throw ValidationError("\(variable)=\(text) is not a valid value")
        }
        return parsed
    }

    /// A setting with no default: the flag, else the variable when set and not empty, else nil.
    func optionalValue(_ flag: String?, _ variable: String) throws -> String? {
        if let flag { return flag }
        guard let text = environment[variable], !text.isEmpty else { return nil }
        return text
    }
}
