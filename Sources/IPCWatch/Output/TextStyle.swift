/// How the strace text renders strings and named constants: strace's `-x`/`-xx` and `-X`.
package struct TextStyle: Sendable, Equatable {
    /// strace's `-x` (`--strings-in-hex=non-ascii`) and `-xx` (`=all`).
    package enum HexStrings: Int, Sendable {
        /// C escapes and octal.
        case none = 0
        /// The whole string as `\xNN` when one byte is neither printable nor `\t\n\v\f\r`.
        case nonPrintable
        /// Every byte as `\xNN`.
        case all
    }

    /// strace's `-X` (`--xlat-verbosity`): flag, command and constant names.
    package enum Constants: String, Sendable {
        /// `IPC_CREAT|IPC_EXCL`.
        case abbrev
        /// `0x600`.
        case raw
        /// `0x600 /* IPC_CREAT|IPC_EXCL */`.
        case verbose
    }

    package var hexStrings: HexStrings
    package var constants: Constants

    package init(hexStrings: HexStrings = .none, constants: Constants = .abbrev) {
        self.hexStrings = hexStrings
        self.constants = constants
    }

    /// A constant whose abbreviated text is `abbrev`; `named` when that text holds a name (strace's
    /// verbose form comments only names: `0x2 /* SEM_??? */` stays as it is).
    func constant(_ value: UInt64, _ abbrev: String, named: Bool) -> String {
        switch constants {
        case .abbrev: abbrev
        case .raw: Call.hex(value)
        case .verbose: named ? "\(Call.hex(value)) /* \(abbrev) */" : abbrev
        }
    }

    /// A flag word from its table; `0` when no bit is set, in every style.
    func flags(_ bits: UInt64, _ names: FlagNames) -> String {
        guard let abbrev = names.render(bits) else { return "0" }
        return constant(bits, abbrev, named: names.namesAny(of: bits))
    }

    /// A single value from its table, `0x4d /* MSG_??? */` when it has no name.
    func value(_ value: UInt64, _ names: ValueNames) -> String {
        guard let name = names.name(value) else { return constants == .raw ? Call.hex(value) : Call.hex(value) + " /* \(names.unknown) */" }
        return constant(value, name, named: true)
    }

    /// A signal number named `name`: strace prints its number in decimal (`10 /* SIGUSR1 */`).
    func signal(_ number: String, _ name: String) -> String {
        switch constants {
        case .abbrev: name
        case .raw: number
        case .verbose: "\(number) /* \(name) */"
        }
    }

    /// A string as strace quotes it under `-x`/`-xx`.
    func quote(_ bytes: [UInt8], truncated: Bool) -> String {
        guard usesHex(bytes) else { return StringQuoting.quote(bytes, truncated: truncated) }
        let digits = Array("0123456789abcdef".utf8)
        var out = "\""
        for byte in bytes { out += "\\x" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self) }
        return out + "\"" + (truncated ? "..." : "")
    }

    private func usesHex(_ bytes: [UInt8]) -> Bool {
        switch hexStrings {
        case .none: false
        case .all: true
        case .nonPrintable: bytes.contains { $0 > 0x7e || ($0 < 0x20 && !(9...13).contains($0)) }
        }
    }
}

extension FlagNames {
    /// Whether `render` names at least one of the bits.
    func namesAny(of bits: UInt64) -> Bool { names.contains { $0.value != 0 && bits & $0.value == $0.value } }
}
