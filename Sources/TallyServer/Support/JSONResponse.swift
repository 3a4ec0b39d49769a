import Hummingbird
import TallyCore

extension Response {
    /// A JSON response from bytes written with `JSONWriter`.
    static func json(_ status: HTTPResponse.Status = .ok, _ build: (inout JSONWriter) -> Void) -> Response {
        var writer = JSONWriter()
        build(&writer)
        var bytes = writer.bytes
        bytes.append(0x0A)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
