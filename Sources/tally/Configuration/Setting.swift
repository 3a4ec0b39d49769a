import ArgumentParser

/// One option's environment variable, default and allowed values, defined once: `help` shows them in `--help`,
/// `resolve` applies them, so what the help says is what the command does.
///
/// Precedence: the flag, else the variable when set and not empty, else the default. A variable's value is parsed
/// like the flag's, and a bad one is an error naming the variable, never silently the default.
struct Setting<Value: ExpressibleByArgument & Sendable>: Sendable {
    /// The flag's name as users type it, for errors (`--precision`).
    let flag: String
    let variable: String
    let summary: String
    /// Nil for a setting that is off unless given.
    let defaultValue: Value?
    /// How a default is shown when `Value`'s own spelling is not what a user would type (`all`, `no limit`).
    let defaultDescription: String?
    /// The values allowed, for the help ("4 to 18"); nil when the type says it all.
    let allowed: String?
    /// The problem with a value ("must be from 4 to 18"), or nil when it is allowed.
    let check: @Sendable (Value) -> String?

    init(
        _ flag: String, _ variable: String, _ summary: String, default defaultValue: Value?,
        shownAs defaultDescription: String? = nil, allowed: String? = nil,
        check: @escaping @Sendable (Value) -> String? = { _ in nil }
    ) {
        self.flag = flag
        self.variable = variable
        self.summary = summary
        self.defaultValue = defaultValue
        self.defaultDescription = defaultDescription
        self.allowed = allowed
        self.check = check
    }

    var help: ArgumentHelp {
        let shown = defaultDescription ?? defaultValue.map(\.defaultValueDescription)
        return ArgumentHelp(
            summary + (allowed.map { " Allowed: \($0)." } ?? "") + " [env: \(variable)]" + (shown.map { " (default: \($0))" } ?? ""))
    }

    /// The value in force; nil only for a setting without a default that was not given.
    func resolveOptional(_ given: Value?, _ env: EnvironmentResolver = EnvironmentResolver()) throws -> Value? {
        let value: Value?
        if let given {
            value = given
        } else if let text = env.environment[variable], !text.isEmpty {
            guard let parsed = Value(argument: text) else {
                throw ValidationError("\(variable)=\(text) is not a valid value for \(flag)" + (allowed.map { " (allowed: \($0))" } ?? ""))
            }
            value = parsed
        } else {
            value = defaultValue
        }
        if let value, let problem = check(value) {
            throw ValidationError("\(flag) (or \(variable)) \(problem), not \(value.defaultValueDescription)")
        }
        return value
    }

    func resolve(_ given: Value?, _ env: EnvironmentResolver = EnvironmentResolver()) throws -> Value {
        guard let value = try resolveOptional(given, env) else {
            preconditionFailure("\(flag) has no default; resolve it with resolveOptional")
        }
        return value
    }
}

extension Setting where Value: Comparable {
    /// A setting whose values lie in `range`.
    init(_ flag: String, _ variable: String, _ summary: String, default defaultValue: Value?, in range: ClosedRange<Value>) {
        self.init(flag, variable, summary, default: defaultValue, allowed: "\(range.lowerBound) to \(range.upperBound)") {
            range.contains($0) ? nil : "must be from \(range.lowerBound) to \(range.upperBound)"
        }
    }
}

extension Setting where Value: Comparable {
    /// A setting whose values are at least `minimum`.
    init(_ flag: String, _ variable: String, _ summary: String, default defaultValue: Value?, atLeast minimum: Value) {
        self.init(flag, variable, summary, default: defaultValue, allowed: "at least \(minimum)") {
            $0 >= minimum ? nil : "must be at least \(minimum)"
        }
    }
}

extension Setting where Value == DurationArgument {
    /// A duration that must be more than zero.
    static func positive(_ flag: String, _ variable: String, _ summary: String, default defaultValue: Duration) -> Setting {
        Setting(flag, variable, summary, default: DurationArgument(defaultValue), allowed: "more than 0") {
            $0.duration > .zero ? nil : "must be positive"
        }
    }
}
