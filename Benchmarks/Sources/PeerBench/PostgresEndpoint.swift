import BenchSupport
import Foundation
import PostgresNIO

/// A server named by a libpq connection URI, turned into PostgresNIO's configurations: PostgresNIO takes host,
/// port, user, password and database, not a connection string.
///
/// Both `postgres://user:password@host:port/db` and the socket form the project's throwaway cluster prints,
/// `postgresql:///db?host=/dir&port=5432&user=postgres`, are understood (a host starting with `/` is a socket
/// directory, as in libpq). Other query items, `options` among them, are ignored: peer-bench creates its table
/// unqualified, in the user's default schema, so it needs no search_path.
struct PostgresEndpoint: Sendable {
    enum Address: Sendable {
        case tcp(host: String, port: Int)
        case socket(path: String)
    }

    let address: Address
    let username: String
    let password: String?
    let database: String?

    init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw BenchError("not a postgres:// URL: \(url)")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            if let value = item.value, !value.isEmpty { query[item.name] = value }
        }
        // libpq allows a comma-separated host list; the first host is the one a plain connection tries first.
        let hostList = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? "localhost"
        let host = hostList.split(separator: ",").first.map(String.init) ?? hostList
        let portList = query["port"] ?? ""
        let port = components.port ?? portList.split(separator: ",").first.flatMap { Int($0) } ?? 5432
        address = host.hasPrefix("/") ? .socket(path: "\(host)/.s.PGSQL.\(port)") : .tcp(host: host, port: port)
        username = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? query["user"]
            ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = components.password ?? query["password"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? query["dbname"] : path
    }

    var description: String {
        switch address {
        case .tcp(let host, let port): "\(username)@\(host):\(port)/\(database ?? username)"
        case .socket(let path): "\(username)@\(path)/\(database ?? username)"
        }
    }

    /// For a PostgresClient, without TLS, as the benchmark's local server is reached.
    var clientConfiguration: PostgresClient.Configuration {
        switch address {
        case .tcp(let host, let port):
            PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                         database: database, tls: .disable)
        case .socket(let path):
            PostgresClient.Configuration(unixSocketPath: path, username: username, password: password, database: database)
        }
    }

    /// For a single PostgresConnection, without TLS.
    var connectionConfiguration: PostgresConnection.Configuration {
        switch address {
        case .tcp(let host, let port):
            PostgresConnection.Configuration(host: host, port: port, username: username, password: password,
                                             database: database, tls: .disable)
        case .socket(let path):
            PostgresConnection.Configuration(unixSocketPath: path, username: username, password: password, database: database)
        }
    }
}
