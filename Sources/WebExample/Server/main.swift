// The web example's server: the bank API on SQLite (a file, `WEB_EXAMPLE_SQLITE`, default bank-web.sqlite) or on
// PostgreSQL (`WEB_EXAMPLE_POSTGRES_URL`), listening on 127.0.0.1:`PORT` (default 8080) until SIGINT or SIGTERM.
// `TRANSFER_MAX_ATTEMPTS` bounds how often a conflicting transfer runs before the API answers 409.

import Foundation
import Hummingbird
import Logging
import PostgresDriver
import SQLiteDriver
import ServiceLifecycle
import VersionedORM
import VersionedORMServiceLifecycle
import WebBankAPI

let environment = ProcessInfo.processInfo.environment
var logger = Logger(label: "web-example")
logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

guard let port = Int(environment["PORT"] ?? "8080"), (0...65_535).contains(port) else {
    logger.critical("PORT must be a TCP port number")
    exit(2)
}
let maxAttempts = Int(environment["TRANSFER_MAX_ATTEMPTS"] ?? "") ?? .max
guard maxAttempts >= 1 else {
    logger.critical("TRANSFER_MAX_ATTEMPTS must be at least 1")
    exit(2)
}

let database: Database
if let url = environment["WEB_EXAMPLE_POSTGRES_URL"], !url.isEmpty {
    database = try await Database.postgres(url: url)
} else {
    database = try await Database.sqlite(path: environment["WEB_EXAMPLE_SQLITE"] ?? "bank-web.sqlite")
}
let api = BankAPI(database: database, transferRetry: RetryPolicy(maxAttempts: maxAttempts, deadline: .seconds(2)))
try await api.prepareSchema()

let app = Application(
    router: api.router(),
    configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
    onServerRunning: { channel in
        // The line scripts wait for: the port is open from here on.
        // Written unbuffered, so a script reading a pipe sees it at once.
        FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(channel.localAddress?.port ?? port)\n".utf8))
    },
    logger: logger
)
// The database first: a group stops its services in reverse order, so the server stops taking requests
// before the pool closes.
let services = ServiceGroup(configuration: ServiceGroupConfiguration(
    services: [.init(service: DatabaseService(database)), .init(service: app)],
    gracefulShutdownSignals: [.sigterm, .sigint],
    logger: logger
))
try await services.run()
