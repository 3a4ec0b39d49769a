import ArgumentParser
import Foundation
import TallyCore
import TallyServer

/// Who may reach `tally serve`: keys, browsers and names (docs/security.md).
struct AccessOptions: ParsableArguments {
    @Option(help: Self.authSetting.help)
    var auth: AccessConfiguration.Mode?

    @Flag(help: "Allow --auth off on an address other machines can reach. [env: TALLY_ALLOW_INSECURE=1]")
    var allowInsecure = false

    @Option(help: Self.corsOriginsSetting.help)
    var corsOrigins: String?

    @Option(help: Self.allowedHostsSetting.help)
    var allowedHosts: String?

    @Option(help: Self.rateLimitSetting.help)
    var rateLimit: String?

    @Option(help: Self.trustedProxiesSetting.help)
    var trustedProxies: String?

    @Option(help: Self.tlsCertSetting.help)
    var tlsCert: String?

    @Option(help: Self.tlsKeySetting.help)
    var tlsKey: String?

    static let authSetting = Setting<AccessConfiguration.Mode>(
        "--auth", "TALLY_AUTH",
        "required: every route but /health needs an API key (tally keys create); off: none is asked for.",
        default: nil, shownAs: "off on a loopback --host, required on any other")
    static let corsOriginsSetting = Setting<String>(
        "--cors-origins", "TALLY_CORS_ORIGINS",
        "Web pages that may call the server from a browser: origins (https://shop.example,https://app.example), or * to let any page send events (ingest routes only).",
        default: nil, shownAs: "none; same-origin pages always may")
    static let allowedHostsSetting = Setting<String>(
        "--allowed-hosts", "TALLY_ALLOWED_HOSTS",
        "Host names the server answers to besides its --host (and, on loopback, localhost, 127.0.0.1, ::1); other Host headers get 421.",
        default: nil, shownAs: "none; any name on a wildcard --host")
    static let rateLimitSetting = Setting<String>(
        "--rate-limit", "TALLY_RATE_LIMIT",
        "Requests per second each key and each client address may make: writes=RATE,reads=RATE, a RATE being N/s, N/m or N/h with an optional :BURST (default twice the per-second rate), e.g. writes=2000/s,reads=100/s:500. Over it: 429 with Retry-After. Per server.",
        default: nil, shownAs: "none")
    static let trustedProxiesSetting = Setting<String>(
        "--trusted-proxies", "TALLY_TRUSTED_PROXIES",
        "Addresses of reverse proxies whose X-Forwarded-For names the client for rate limits (comma-separated).",
        default: nil, shownAs: "none")
    static let tlsCertSetting = Setting<String>(
        "--tls-cert", "TALLY_TLS_CERT",
        "PEM file of the server's certificate chain: with --tls-key, the server speaks HTTPS and WSS only.",
        default: nil, shownAs: "none")
    static let tlsKeySetting = Setting<String>(
        "--tls-key", "TALLY_TLS_KEY",
        "PEM file of the certificate's private key.",
        default: nil, shownAs: "none")

    func apply(to server: inout ServerConfiguration, env: EnvironmentResolver) throws {
        server.access.mode = try Self.authSetting.resolveOptional(auth, env) ?? AccessConfiguration.defaultMode(host: server.host)
        let insecure = allowInsecure || env.environment["TALLY_ALLOW_INSECURE"] == "1"
        if server.access.mode == .off, !AccessConfiguration.isLoopback(server.host), !insecure {
            throw ValidationError(
                "--auth off on \(server.host), which other machines can reach, lets anyone write and read every event; create keys with tally keys create, or add --allow-insecure"
            )
        }
        let origins = Self.list(try Self.corsOriginsSetting.resolveOptional(corsOrigins, env))
        for origin in origins where origin != "*" {
            guard Self.isOrigin(origin) else {
                throw ValidationError("--cors-origins: \(origin) is not an origin (scheme://host[:port], no path), nor *")
            }
        }
        var rates = RateLimits(trustedProxies: Set(Self.list(try Self.trustedProxiesSetting.resolveOptional(trustedProxies, env))))
        for item in Self.list(try Self.rateLimitSetting.resolveOptional(rateLimit, env)) {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let limit = RateLimit(parts[1]) else {
                throw ValidationError("--rate-limit: \(item) is not writes=N/s[:BURST] or reads=N/s[:BURST] (units s, m, h)")
            }
            switch parts[0] {
            case "writes": (rates.perKeyWrites, rates.perAddressWrites) = (limit, limit)
            case "reads": (rates.perKeyReads, rates.perAddressReads) = (limit, limit)
            default: throw ValidationError("--rate-limit: \(parts[0]) is neither writes nor reads")
            }
        }
        server.rateLimits = rates
        switch (try Self.tlsCertSetting.resolveOptional(tlsCert, env), try Self.tlsKeySetting.resolveOptional(tlsKey, env)) {
        case (let certificate?, let key?): server.tls = (certificate, key)
        case (nil, nil): server.tls = nil
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        server.browser = BrowserPolicy(
            origins: origins, allowedHosts: Self.list(try Self.allowedHostsSetting.resolveOptional(allowedHosts, env)),
            listenHost: server.host)
    }

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func isOrigin(_ text: String) -> Bool {
        for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            return !rest.isEmpty && !rest.contains("/") && !rest.contains { $0 == " " || $0 == "*" }
        }
        return false
    }
}

extension AccessConfiguration.Mode: ExpressibleByArgument {}
