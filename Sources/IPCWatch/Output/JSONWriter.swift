/// A minimal JSON writer for flat, known shapes: no reflection, no intermediate objects.
struct JSONWriter {
    private(set) var output = ""
    private var needsComma = [false]

    init() {}

    mutating func beginObject() { separate(); output += "{"; needsComma.append(false) }
    mutating func endObject() { output += "}"; needsComma.removeLast() }
    mutating func beginArray() { separate(); output += "["; needsComma.append(false) }
    mutating func endArray() { output += "]"; needsComma.removeLast() }

    mutating func key(_ name: String) {
        separate()
        Self.appendString(name, to: &output)
        output += ":"
        needsComma[needsComma.count - 1] = false
    }

    mutating func string(_ value: String) { separate(); Self.appendString(value, to: &output) }
    mutating func integer<T: BinaryInteger>(_ value: T) { separate(); output += String(value) }
    mutating func bool(_ value: Bool) { separate(); output += value ? "true" : "false" }
    mutating func null() { separate(); output += "null" }

    mutating func field(_ name: String, _ value: String) { key(name); string(value) }
    mutating func field<T: BinaryInteger>(_ name: String, _ value: T) { key(name); integer(value) }
    mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
    }

    static func appendString(_ value: String, to output: inout String) {
        output += "\""
        // Names and types never need escaping: append them whole rather than scalar by scalar.
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            output += value
            output += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{0}"..."\u{1f}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
