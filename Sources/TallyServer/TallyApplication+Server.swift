import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import NIOSSL

extension TallyApplication {
    /// The child channel of every connection: HTTP/1 with WebSocket upgrades behind the connection guard, wrapped in
    /// TLS when certificate files are configured.
    static func serverBuilder<WSResponder: HTTPResponder>(
        configuration: ServerConfiguration, upgradeGate: UpgradeGate, webSocketResponder: WSResponder
    ) throws -> HTTPServerBuilder where WSResponder.Context: WebSocketRequestContext {
        let connection = configuration.connection
        let maxFrameSize = configuration.sessionLimits.maxMessageBytes
        let tls = try configuration.tls.map { try tlsConfiguration(certificate: $0.certificate, privateKey: $0.privateKey) }
        return HTTPServerBuilder { responder in
            let channel = GuardedHTTPChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(
                        ws: .init(
                            maxFrameSize: maxFrameSize,
                            autoPing: .enabled(timePeriod: connection.webSocket.pingInterval),
                            closeTimeout: connection.webSocket.closeTimeout))),
                limits: connection, upgradeGate: upgradeGate)
            guard let tls else { return channel }
            return try TLSChannel(channel, tlsConfiguration: tls)
        }
    }

    /// A server TLS configuration from PEM files; an unreadable or mismatched file is an error at start, naming it.
    static func tlsConfiguration(certificate: String, privateKey: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw TLSFileError(message: "cannot read the TLS certificate chain \(certificate) (PEM): \(error)")
        }
        guard !chain.isEmpty else { throw TLSFileError(message: "no certificate in \(certificate)") }
        do {
            key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
        } catch {
            throw TLSFileError(message: "cannot read the TLS private key \(privateKey) (PEM): \(error)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    /// `tlsConfiguration`, for tests of its errors.
    public static func tlsConfigurationForTesting(certificate: String, privateKey: String) throws {
        _ = try tlsConfiguration(certificate: certificate, privateKey: privateKey)
    }

    /// A certificate or key file that cannot be read or used, named with the reason, before the server binds.
    public struct TLSFileError: Error, CustomStringConvertible {
        /// Which file, and why it cannot be used.
        public var message: String
        public var description: String { message }
    }
}
