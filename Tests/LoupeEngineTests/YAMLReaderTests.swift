import LoupeEngine
import Testing

@Suite struct YAMLReaderTests {
    @Test func scalarStylesAndTypes() throws {
        let text = """
            a: true
            b: "true"
            c: 42
            d: '42'
            e: 1.5
            f: ~
            g: !!str 7
            h: 0x1F
            i: hello world
            j: |
              line
            """
        let doc = try #require(try YAMLReader.documents(text: text, file: "t.yaml").first)
        let values = try #require(doc.pairs).map { $0.value.scalar!.value }
        #expect(
            values == [
                .bool(true), .string("true"), .int(42), .string("42"), .double(1.5), .null, .string("7"), .int(31),
                .string("hello world"), .string("line"),
            ])
        #expect(doc["b"]?.scalar?.style == .doubleQuoted)
        #expect(doc["j"]?.scalar?.style == .literal)
    }

    @Test func keyOrderAndLocations() throws {
        let text = "zeta: 1\nalpha:\n  - x\n  - {k: v}\n"
        let doc = try #require(try YAMLReader.documents(text: text, file: "t.yaml").first)
        #expect(doc.pairs?.map { $0.key.scalar!.text } == ["zeta", "alpha"])
        let items = try #require(doc["alpha"]?.items)
        #expect(items[0].location == SourceLocation(file: "t.yaml", line: 3, column: 5))
        #expect(items[1]["k"]?.location.description == "t.yaml:4:9")
    }

    @Test func multipleDocumentsAndJSON() throws {
        let docs = try YAMLReader.documents(text: "a: 1\n---\nb: 2\n---\n", file: "m.yaml")
        #expect(docs.count == 3)
        #expect(docs[2].scalar?.value == .null)
        let json = try #require(try YAMLReader.documents(text: #"{"x": [1, "2", true, null]}"#, file: "j.json").first)
        #expect(json["x"]?.items?.map { $0.scalar!.value } == [.int(1), .string("2"), .bool(true), .null])
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let text = """
            base: &b {x: 1, y: 2}
            copy: *b
            merged:
              <<: *b
              y: 3
            """
        let doc = try #require(try YAMLReader.documents(text: text, file: "t.yaml").first)
        #expect(doc["copy"]?["y"]?.scalar?.value == .int(2))
        #expect(doc["merged"]?.pairs?.map { $0.key.scalar!.text } == ["y", "x"])
        #expect(doc["merged"]?["y"]?.scalar?.value == .int(3))
    }

    @Test(arguments: [
        ("a: [1, 2\n", "t.yaml:2:1: error: did not find expected ',' or ']' (while parsing a flow sequence at 1:4)"),
        ("a: 1\na: 2\n", "t.yaml:2:1: error: duplicate key string \"a\" (first at line 1, column 1)"),
        ("a: *nope\n", "t.yaml:1:4: error: unknown alias *nope"),
        ("a: !!int x\n", "t.yaml:1:4: error: expected an integer for tag !!int, found \"x\""),
        (
            "a:\n\tb: 1\n",
            "t.yaml:2:1: error: found character that cannot start any token (while scanning for the next token at 2:1)"
        ),
    ])
    func malformedInput(text: String, message: String) {
        #expect(inputError { _ = try YAMLReader.documents(text: text, file: "t.yaml") } == message)
    }

    @Test func depthLimit() {
        let text = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        let limits = YAMLLimits(maxDepth: 5, maxNodes: 100)
        #expect(
            inputError { _ = try YAMLReader.documents(text: text, file: "d.yaml", limits: limits) }
                == "d.yaml:1:6: error: nesting deeper than 5 levels")
        #expect(inputError { _ = try YAMLReader.documents(text: text, file: "d.yaml") } == "<no error>")
    }

    @Test func billionLaughsIsRefused() {
        var text = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
            previous = name
        }
        let message = inputError { _ = try YAMLReader.documents(text: text, file: "lol.yaml") }
        #expect(message.hasPrefix("lol.yaml:"))
        #expect(
            message.hasSuffix("error: document expands to more than 2000000 nodes (aliases repeating large subtrees?)"))
    }
}
