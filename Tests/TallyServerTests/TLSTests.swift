import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOSSL
import Synchronization
import TallyCore
import TallyServer
import Testing

/// `--tls-cert`/`--tls-key`: HTTPS and WSS with a certificate the test makes (openssl, as a user would).
@Suite("TLS")
struct TLSTests {
    static func certificate(in directory: TemporaryDirectory) async throws -> (certificate: String, key: String) {
        let certificate = directory.path + "/cert.pem"
        let key = directory.path + "/key.pem"
        let made = try await Shell.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ])
        #expect(made.status == 0, "\(made.output)")
        return (certificate, key)
    }

    @Test func httpsAndWssServeWithATestCertificate() async throws {
        let directory = TemporaryDirectory()
        let (certificate, key) = try await Self.certificate(in: directory)
        var configuration = ServerConfiguration.fewUsers
        configuration.tls = (certificate, key)
        try await withTally(configuration: configuration, testing: .live) { client in
            let port = client.port!
            let https = try await Shell.run("/usr/bin/curl", ["-s", "--cacert", certificate, "https://127.0.0.1:\(port)/health"])
            #expect(https.status == 0)
            #expect(https.output.contains(#""status":"ok""#), "\(https.output)")
            let untrusted = try await Shell.run("/usr/bin/curl", ["-s", "https://127.0.0.1:\(port)/health"])
            #expect(untrusted.status != 0, "curl must not trust a certificate it was not given")

            // A whole session over WSS: the frames pass the WebSocket guard after TLS has decrypted them.
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(certificate)
            let replies = Mutex<[String]>([])
            let close = try await WebSocketClient.connect(
                url: "wss://localhost:\(port)/sessions/\(sessionId)/stream", tlsConfiguration: tls, logger: Logger(label: "wss-test")
            ) { inbound, outbound, _ in
                var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                for text in [message(entry("SESSION_START", 1_569_972_082)), message(entry("SESSION_END", 1_569_972_090))] {
                    try await outbound.write(.text(text))
                    if case .text(let reply) = try await iterator.next() { replies.withLock { $0.append(reply) } }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(replies.withLock { $0 } == [#"{"accepted":1,"total":1}"#, #"{"accepted":1,"total":2,"complete":true}"#])
            #expect(close?.closeCode == .normalClosure)
        }
    }

    @Test func unreadableFilesStopTheServerNamingThem() throws {
        #expect(throws: TallyApplication.TLSFileError.self) {
            try TallyApplication.tlsConfigurationForTesting(certificate: "/nonexistent/cert.pem", privateKey: "/nonexistent/key.pem")
        }
    }
}
