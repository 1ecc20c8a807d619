import Testing
@testable import VersionedORM

/// The choice `.adaptive` makes on a hot row, fed with chosen figures at chosen instants.
@Suite struct HotRowCostsTests {
    private let start = ContinuousClock.now

    private func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func aHotRowIsLockedUntilLockingHasBeenMeasuredThenTriedWithoutALock() {
        let costs = HotRowCosts(halfLife: .seconds(2))
        #expect(costs.locksHotRow(now: at(0)))
        for step in 1...3 { costs.record(locked: true, duration: .milliseconds(1), committed: true, now: at(step)) }
        #expect(costs.locksHotRow(now: at(3)))
        costs.record(locked: true, duration: .milliseconds(1), committed: true, now: at(4))
        #expect(!costs.locksHotRow(now: at(4)))
    }

    /// A trial takes every hot row the tried way, whatever the figures say meanwhile, so the way is measured
    /// among writers taking it and not among writers taking the other; it ends after 16 attempts or
    /// `halfLife / 8`.
    @Test func aTrialTakesEveryHotRowTheTriedWayUntilItEnds() {
        let costs = HotRowCosts(halfLife: .seconds(2))
        for step in 1...4 { costs.record(locked: true, duration: .milliseconds(1), committed: true, now: at(step)) }
        #expect(!costs.locksHotRow(now: at(4)))
        #expect(costs.trialWay(now: at(4)) == false)
        // Dear lost races during the trial do not end it before its 16 attempts.
        for step in 5...19 { costs.record(locked: false, duration: .milliseconds(9), committed: false, now: at(step)) }
        #expect(!costs.locksHotRow(now: at(19)))
        costs.record(locked: false, duration: .milliseconds(9), committed: false, now: at(20))
        // Over: 144 ms for no commit against 1 ms a commit locked, and the way just tried is not tried again.
        #expect(costs.locksHotRow(now: at(20)))
        #expect(costs.trialWay(now: at(20)) == nil)

        let slow = HotRowCosts(halfLife: .seconds(2))
        for step in 1...4 { slow.record(locked: true, duration: .milliseconds(1), committed: true, now: at(step)) }
        #expect(!slow.locksHotRow(now: at(4)))
        slow.record(locked: false, duration: .milliseconds(200), committed: false, now: at(204))
        #expect(!slow.locksHotRow(now: at(253)))
        #expect(slow.locksHotRow(now: at(254)))
    }

    @Test func theCheaperWayPerCommitWins() {
        let costs = HotRowCosts(halfLife: .seconds(2))
        for step in 1...4 { costs.record(locked: true, duration: .milliseconds(2), committed: true, now: at(step)) }
        // Without a lock: three lost races and one commit, 1 ms each: 4 ms per commit against 2 ms locked.
        for step in 5...7 { costs.record(locked: false, duration: .milliseconds(1), committed: false, now: at(step)) }
        costs.record(locked: false, duration: .milliseconds(1), committed: true, now: at(8))
        #expect(costs.locksHotRow(now: at(8)))
        // Four quick commits without a lock bring it to 8 ms / 5 commits = 1.6 ms: now cheaper than locking.
        for step in 9...12 { costs.record(locked: false, duration: .milliseconds(1), committed: true, now: at(step)) }
        #expect(!costs.locksHotRow(now: at(12)))
    }

    @Test func attemptsThatNeverCommitCostWithoutLimit() {
        let costs = HotRowCosts(halfLife: .seconds(2))
        for step in 1...4 { costs.record(locked: true, duration: .milliseconds(5), committed: true, now: at(step)) }
        costs.record(locked: false, duration: .milliseconds(1), committed: true, now: at(5))
        for step in 6...40 { costs.record(locked: false, duration: .milliseconds(1), committed: false, now: at(step)) }
        #expect(costs.locksHotRow(now: at(40)))
    }

    @Test func theLosingWayIsTriedAgainOnceItsFiguresHaveFaded() {
        let costs = HotRowCosts(halfLife: .milliseconds(100))
        for step in 1...4 { costs.record(locked: true, duration: .milliseconds(1), committed: true, now: at(step)) }
        costs.record(locked: false, duration: .milliseconds(30), committed: true, now: at(5))
        #expect(costs.locksHotRow(now: at(6)))
        // Locking keeps being recorded; the one commit without a lock halves every 100 ms: faded by 300 ms.
        for step in 297...300 { costs.record(locked: true, duration: .milliseconds(1), committed: true, now: at(step)) }
        #expect(!costs.locksHotRow(now: at(300)))
        let figures = costs.snapshot(now: at(300))
        #expect(figures.optimistic.attempts < HotRowCosts.faded)
        #expect(figures.pessimistic.commits >= 1)
    }
}
