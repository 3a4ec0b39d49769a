import Hummingbird
import TallyCore

extension Parameters {
    /// The id in path segment `name`, percent-decoded strictly and checked by `IdentifierRule`, so that the id a
    /// client posted in a JSON body (`"Jürgen Müller"`) is the id its URL (`J%C3%BCrgen%20M%C3%BCller`) names. The
    /// router matches raw segments, so an encoded `/` (`%2F`) stays inside one id.
    func identifier(_ name: String, maxBytes: Int) throws -> String {
        guard let raw = self.get(name) else {
            throw APIError(.badRequest, code: "missing_field", message: "\(name) is required in the path", field: name)
        }
        let decoded = PercentDecoding.decode(raw[...], field: name).flatMap { text in
            IdentifierRule.problem(with: text, field: name, maxBytes: maxBytes).map { .failure($0) } ?? .success(text)
        }
        switch decoded {
        case .success(let id): return id
        case .failure(let error): throw APIError(.badRequest, code: error.code.rawValue, message: error.message, field: error.field)
        }
    }
}
