/// A JSON document as values: what ``Event``'s `Codable` conformance goes through, so that encoding gives
/// exactly the object `--json` writes (the same writer code builds both).
enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case signed(Int64)
    case unsigned(UInt64)
    case float(Double)
    case string(String)
    case array([JSONValue])
    /// Members in order.
    case object([Member])

    struct Member: Hashable, Sendable {
        var key: String
        var value: JSONValue
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    var int64: Int64? {
        switch self {
        case .signed(let v): v
        case .unsigned(let v): Int64(exactly: v)
        default: nil
        }
    }

    var uint64: UInt64? {
        switch self {
        case .signed(let v): UInt64(exactly: v)
        case .unsigned(let v): v
        default: nil
        }
    }

    /// A number as a Double (integers too: Go writes a whole float64 without a fraction).
    var double: Double? {
        switch self {
        case .float(let v): v
        case .signed(let v): Double(v)
        case .unsigned(let v): Double(v)
        default: nil
        }
    }
    var string: String? { if case .string(let v) = self { v } else { nil } }
    var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    var array: [JSONValue]? { if case .array(let v) = self { v } else { nil } }
}

extension JSONValue: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Swift.Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(try object.allKeys.map { Member(key: $0.stringValue, value: try object.decode(JSONValue.self, forKey: $0)) })
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int64.self) {
            self = .signed(value)
        } else if let value = try? single.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? single.decode(Double.self) {
            self = .float(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    func encode(to encoder: any Swift.Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let v):
            var single = encoder.singleValueContainer()
            try single.encode(v)
        case .signed(let v):
            var single = encoder.singleValueContainer()
            try single.encode(v)
        case .unsigned(let v):
            var single = encoder.singleValueContainer()
            try single.encode(v)
        case .float(let v):
            var single = encoder.singleValueContainer()
            try single.encode(v)
        case .string(let v):
            var single = encoder.singleValueContainer()
            try single.encode(v)
        case .array(let values):
            var array = encoder.unkeyedContainer()
            for value in values { try array.encode(value) }
        case .object(let members):
            var object = encoder.container(keyedBy: Key.self)
            for member in members { try object.encode(member.value, forKey: Key(stringValue: member.key)) }
        }
    }
}

/// What the Tracee JSON writer writes to: bytes for `--json` (``JSONWriter``), values for `Codable`
/// (``JSONTreeBuilder``).
protocol JSONOutput {
    mutating func beginObject()
    mutating func endObject()
    mutating func beginArray()
    mutating func endArray()
    mutating func key(_ name: StaticString)
    mutating func key(_ name: String)
    mutating func string(_ value: String)
    mutating func integer<T: BinaryInteger>(_ value: T)
    mutating func float(_ value: Double)
    mutating func bool(_ value: Bool)
    mutating func null()
}

extension JSONOutput {
    mutating func field(_ name: StaticString, _ value: String) { key(name); string(value) }
    mutating func field<T: BinaryInteger>(_ name: StaticString, _ value: T) { key(name); integer(value) }
    mutating func field(_ name: StaticString, _ value: Bool) { key(name); bool(value) }
}

/// Builds a ``JSONValue`` from the writer calls.
struct JSONTreeBuilder: JSONOutput {
    /// An object or array being built, with the key it will have in its parent.
    private enum Open {
        case object(key: String?, members: [JSONValue.Member])
        case array(key: String?, values: [JSONValue])
    }
    private var stack: [Open] = []
    private var pendingKey: String?
    private(set) var root: JSONValue = .null

    mutating func beginObject() { stack.append(.object(key: takeKey(), members: [])) }
    mutating func beginArray() { stack.append(.array(key: takeKey(), values: [])) }
    mutating func endObject() { close() }
    mutating func endArray() { close() }
    mutating func key(_ name: StaticString) { pendingKey = name.description }
    mutating func key(_ name: String) { pendingKey = name }
    mutating func string(_ value: String) { add(.string(value)) }
    mutating func integer<T: BinaryInteger>(_ value: T) {
        add(value < 0 ? .signed(Int64(value)) : .unsigned(UInt64(value)))
    }
    mutating func float(_ value: Double) { add(.float(value)) }
    mutating func bool(_ value: Bool) { add(.bool(value)) }
    mutating func null() { add(.null) }

    private mutating func takeKey() -> String? {
        defer { pendingKey = nil }
        return pendingKey
    }

    private mutating func close() {
        switch stack.popLast() {
        case .object(let key, let members)?:
            pendingKey = key
            add(.object(members))
        case .array(let key, let values)?:
            pendingKey = key
            add(.array(values))
        case nil:
            break
        }
    }

    private mutating func add(_ value: JSONValue) {
        let key = takeKey()
        switch stack.popLast() {
        case .object(let ownKey, var members)?:
            members.append(JSONValue.Member(key: key ?? "", value: value))
            stack.append(.object(key: ownKey, members: members))
        case .array(let ownKey, var values)?:
            values.append(value)
            stack.append(.array(key: ownKey, values: values))
        case nil:
            root = value
        }
    }
}
