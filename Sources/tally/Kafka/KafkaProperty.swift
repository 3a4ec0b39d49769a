import ArgumentParser

/// `-X KEY=VALUE`: a librdkafka setting passed through as is (as kcat's `-X`), for what Tally has no option of its
/// own: security (`security.protocol`, `sasl.*`, `ssl.*`), client ids, fetch and batch sizes.
struct KafkaProperty: ExpressibleByArgument, Hashable, CustomStringConvertible {
    var key: String
    var value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }

    var description: String { "\(key)=\(value)" }

    static func dictionary(_ properties: [KafkaProperty]) -> [String: String] {
        Dictionary(properties.map { ($0.key, $0.value) }) { $1 }
    }
}
