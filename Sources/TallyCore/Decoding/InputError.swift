/// Why a request body was refused as a whole. Nothing of a refused body is stored.
public enum InputError: Error, Hashable, Sendable {
    /// Not well-formed JSON; `item` is the batch index being read when known.
    case malformed(JSONSyntaxError, item: Int?)
    /// The body's top-level shape is wrong (e.g. an array where one object is expected).
    case wrongShape(String)
    /// Well-formed, but some items break the rules: every bad item and field is listed (up to a cap).
    case invalidItems([ItemError], invalidCount: Int, total: Int)
    /// More items than `InputLimits.maxBatchItems`.
    case tooManyItems(limit: Int)
}
