/// The attempt number of the retry policy running the current task's operation, so instruments can tell a
/// retry from a first try without every entry point passing it along.
enum RetryAttempt {
    @TaskLocal static var current = 1
}
