/// The C types the kernel's `*ctl` structures are declared with, each sized and aligned per ABI.
enum CType: Sendable {
    case int, unsignedInt, unsignedShort
    /// `__kernel_long_t` and `__kernel_ulong_t`: 8 bytes on x86_64 and on x32 (which shares the 64-bit
    /// kernel's structures), `compat_long_t` and `compat_ulong_t` for i386.
    case kernelLong, kernelULong
    /// `__kernel_mode_t`: `unsigned short` on i386 (`compat_mode_t`), `unsigned int` elsewhere.
    case kernelMode
    /// `__kernel_size_t` as the kernel has it: 8 bytes for x32 too (x32's headers declare 4, the low half
    /// of the word the 64-bit kernel writes), `compat_size_t` for i386.
    case kernelSize
    /// `long long` (and `__s64`): 8 bytes everywhere, aligned to 4 on i386.
    case longLong
    /// A pointer or `size_t` of a structure the kernel reads in the caller's own ABI: 8 bytes on x86_64,
    /// 4 on i386 and in x32's compat entries (`mq_notify` 527, `vmsplice` 532: `compat_sigevent`, `compat_iovec`).
    case userWord
    case structure(CStruct)

    // The typedefs of <asm-generic/posix_types.h>, named so that a description reads like its header.
    static let kernelKey = CType.int
    static let kernelUID32 = CType.unsignedInt
    static let kernelGID32 = CType.unsignedInt
    static let kernelPid = CType.int

    func size(on abi: Architecture) -> Int {
        switch self {
        case .int, .unsignedInt: 4
        case .unsignedShort: 2
        case .kernelLong, .kernelULong, .kernelSize: abi.kernelLongSize
        case .kernelMode: abi == .i386 ? 2 : 4
        case .longLong: 8
        case .userWord: abi == .x86_64 ? 8 : 4
        case .structure(let structure): structure.layout(on: abi).size
        }
    }

    func alignment(on abi: Architecture) -> Int {
        switch self {
        case .structure(let structure): structure.layout(on: abi).alignment
        // The i386 psABI aligns 8-byte scalars (`long long`, `double`) to 4.
        default: min(size(on: abi), abi == .i386 ? 4 : 8)
        }
    }
}

/// A structure as a kernel header declares it: its members in order, some only on some ABIs (the
/// header's `#ifdef`s). Offsets and sizes follow from the C rules for each ABI.
struct CStruct: Sendable {
    struct Member: Sendable {
        let name: String
        let type: CType
        /// The ABIs that have this member, or nil for all.
        let abis: Set<Architecture>?

        static func field(_ name: String, _ type: CType, on abis: Set<Architecture>? = nil) -> Member {
            Member(name: name, type: type, abis: abis)
        }
    }

    /// Where one ABI puts a structure's members.
    struct Layout: Sendable {
        struct Field: Sendable {
            let offset: Int
            let size: Int
        }
        /// `sizeof`: the members and the tail padding that rounds it to its alignment.
        let size: Int
        let alignment: Int
        /// Each member the ABI has, in declaration order.
        let fields: [(name: String, field: Field)]

        subscript(name: String) -> Field? { fields.first { $0.name == name }?.field }
    }

    let name: String
    let members: [Member]

    init(_ name: String, _ members: [Member]) {
        self.name = name
        self.members = members
    }

    /// The members `abi` has, in order.
    func members(on abi: Architecture) -> [Member] { members.filter { $0.abis?.contains(abi) ?? true } }

    func layout(on abi: Architecture) -> Layout {
        var offset = 0
        var alignment = 1
        var fields: [(name: String, field: Layout.Field)] = []
        for member in members(on: abi) {
            let memberAlignment = member.type.alignment(on: abi)
            offset = offset.roundedUp(to: memberAlignment)
            let size = member.type.size(on: abi)
            fields.append((member.name, Layout.Field(offset: offset, size: size)))
            offset += size
            alignment = max(alignment, memberAlignment)
        }
        return Layout(size: offset.roundedUp(to: alignment), alignment: alignment, fields: fields)
    }
}

private extension Int {
    func roundedUp(to alignment: Int) -> Int { (self + alignment - 1) / alignment * alignment }
}
