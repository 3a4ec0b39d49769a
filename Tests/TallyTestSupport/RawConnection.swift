import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP connection to 127.0.0.1 that sends exactly the bytes it is given: for requests no HTTP client would send
/// (malformed, half-finished, never finished).
public final class RawConnection {
    private let fd: Int32
    /// Bytes read past what a caller wanted (`unread`), handed out first by the next read.
    private var pending: [UInt8] = []

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    public func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends what the socket takes now without blocking: the bytes taken, or nil once the connection is gone
    /// (reset or closed by the server).
    public func trySend(_ bytes: [UInt8]) -> Int? {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        if n >= 0 { return n }
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : nil
    }

    /// Reads until the server closes the connection or `timeout` passes; returns what arrived and whether the
    /// server closed. Polls without blocking, so that tests running beside the server never hold a thread the
    /// server needs.
    public func read(for timeout: Duration) async -> (text: String, closed: Bool) {
        let (bytes, closed) = await readBytes(for: timeout)
        return (String(decoding: bytes, as: UTF8.self), closed)
    }

    /// Puts `bytes` back in front of what the next read returns.
    public func unread(_ bytes: some Collection<UInt8>) {
        pending = Array(bytes) + pending
    }

    /// Like `read(for:)`, as bytes, and stopping early once `enough` says so of what arrived.
    public func readBytes(for timeout: Duration, until enough: ([UInt8]) -> Bool = { _ in false }) async -> (bytes: [UInt8], closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var received = pending
        pending = []
        if !received.isEmpty, enough(received) { return (received, false) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        // The deadline is checked only after a poll found nothing: a test task that is scheduled late, past its
        // deadline, still reads what the server sent in time.
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                guard ContinuousClock.now < deadline else { return (received, false) }
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (received, true) }
            received += buffer[..<n]
            if enough(received) || ContinuousClock.now >= deadline { return (received, false) }
        }
    }
}
