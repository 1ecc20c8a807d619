import HTTPTypes
import Testing
import VersionedORMHTTP

/// RFC 9110's entity tags and conditions, as `If-Match` and `If-None-Match` carry them.
@Suite struct EntityTagTests {
    @Test func aVersionTagIsStrongAndQuoted() {
        let tag = EntityTag(version: 7)
        #expect(tag.description == "\"7\"")
        #expect(!tag.isWeak)
        #expect(tag.version == 7)
    }

    @Test func onlyStrongCanonicalPositiveTagsNameAVersion() throws {
        #expect(EntityTag(opaqueTag: "7", isWeak: true)?.version == nil)
        for opaque in ["07", "+7", "0", "-3", "7a", "", "99999999999999999999"] {
            #expect(EntityTag(opaqueTag: opaque)?.version == nil, "\(opaque)")
        }
        #expect(EntityTag(opaqueTag: "a\"b") == nil)
        #expect(EntityTag(opaqueTag: "a b") == nil)
    }

    @Test func parsesStarAndListsWithEmptyElements() throws {
        #expect(try EntityTagCondition(parsing: "*") == .any)
        #expect(try EntityTagCondition(parsing: "  * ") == .any)
        let tags = try EntityTagCondition(parsing: ", \"1\" ,W/\"2\",, \"xyz\"\t")
        let expected = [EntityTag(opaqueTag: "1"), EntityTag(opaqueTag: "2", isWeak: true), EntityTag(opaqueTag: "xyz")]
        #expect(tags == .tags(expected.compactMap { $0 }))
    }

    @Test(arguments: ["", " , ", "1", "\"1", "w/\"1\"", "\"1\" \"2\"", "*, \"1\"", "\"1\", *", "W/1", "\"a b\""])
    func refusesMalformedConditions(value: String) {
        #expect(throws: HTTPErrorResponse.malformedCondition) { try EntityTagCondition(parsing: value) }
    }

    @Test func ifMatchComparesStronglyAndIfNoneMatchWeakly() throws {
        let current = EntityTag(version: 3)
        #expect(try EntityTagCondition(parsing: "\"2\", \"3\"").matchesStrongly(current))
        #expect(try !EntityTagCondition(parsing: "W/\"3\"").matchesStrongly(current))
        #expect(try EntityTagCondition(parsing: "W/\"3\"").matchesWeakly(current))
        #expect(try !EntityTagCondition(parsing: "\"4\"").matchesWeakly(current))
        #expect(EntityTagCondition.any.matchesStrongly(current))
    }

    @Test func aMissingIfMatchIs428AndAMalformedOne400() throws {
        #expect(throws: HTTPErrorResponse.preconditionRequired) { try VersionPrecondition(requiring: HTTPFields()) }
        #expect(HTTPErrorResponse.preconditionRequired.status == .preconditionRequired)
        var fields = HTTPFields()
        fields[.ifMatch] = "nonsense"
        #expect(throws: HTTPErrorResponse.malformedCondition) { try VersionPrecondition(requiring: fields) }
        #expect(HTTPErrorResponse.malformedCondition.status == .badRequest)
        #expect(try VersionPrecondition(optional: HTTPFields()) == nil)
    }

    @Test func theExpectedVersionIsTheCurrentOneWhenListedAndOtherwiseTheNewestListed() throws {
        func expected(_ ifMatch: String, current: Int64) throws -> Int64 {
            var fields = HTTPFields()
            fields[.ifMatch] = ifMatch
            return try VersionPrecondition(requiring: fields).expectedVersion(current: current)
        }
        #expect(try expected("*", current: 9) == 9)
        #expect(try expected("\"4\", \"9\"", current: 9) == 9)
        #expect(try expected("\"4\", \"6\", W/\"9\"", current: 9) == 6)
        // No tag of a version can ever match: 412 with the current tag, before anything is written.
        #expect(throws: HTTPErrorResponse.preconditionFailed(model: "resource", currentVersion: 9)) {
            try expected("W/\"9\", \"other-server\"", current: 9)
        }
        #expect(HTTPErrorResponse.preconditionFailed(model: "Account", currentVersion: 9).headers[.eTag] == "\"9\"")
        #expect(HTTPErrorResponse.preconditionFailed(model: "Account", currentVersion: nil).headers[.eTag] == nil)
    }

    @Test func setsTheETagField() {
        var fields = HTTPFields()
        fields.setETag(version: 12)
        #expect(fields[.eTag] == "\"12\"")
    }
}
