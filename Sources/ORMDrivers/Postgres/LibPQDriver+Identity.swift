import CLibPQ
import Foundation
import VersionedORM

extension LibPQDriver {
    /// The database name and host as libpq would take them: ``PostgresConfiguration/parameters`` first, then
    /// the connection string, then `PGDATABASE` / `PGHOST`. Parsed without connecting, so it never blocks; a
    /// string that does not parse names nothing (opening the database reports why).
    package var instrumentationIdentity: InstrumentationIdentity {
        let parsed = Self.keywords(of: configuration.connectionString)
        let environment = ProcessInfo.processInfo.environment
        func value(_ keyword: String, _ variable: String) -> String? {
            [configuration.parameters[keyword], parsed[keyword], environment[variable]]
                .compactMap { $0 }.first { !$0.isEmpty }
        }
        return InstrumentationIdentity(system: "postgresql", namespace: value("dbname", "PGDATABASE"),
                                       serverAddress: value("host", "PGHOST"))
    }

    /// The keywords a connection string sets (no password is read out: only the keywords asked for are used).
    private static func keywords(of connectionString: String) -> [String: String] {
        guard !connectionString.isEmpty else { return [:] }
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &error) else {
            if let error { PQfreemem(error) }
            return [:]
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            let name = String(cString: keyword)
            if name == "dbname" || name == "host", let value = option.pointee.val {
                values[name] = String(cString: value)
            }
            option += 1
        }
        return values
    }
}
