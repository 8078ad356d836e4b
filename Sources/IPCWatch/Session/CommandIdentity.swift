#if canImport(Glibc)
import Glibc
#endif

/// The user a launched command runs as (strace's `-u USER`): its uid, its primary gid and its groups,
/// looked up before the fork (the child may only make async-signal-safe calls).
package struct CommandIdentity: Sendable, Equatable {
    package var userID: uid_t
    package var groupID: gid_t
    package var groups: [gid_t]

    package init(userID: uid_t, groupID: gid_t, groups: [gid_t]) {
        self.userID = userID
        self.groupID = groupID
        self.groups = groups
    }

    /// `name`'s entry in the user database and every group it belongs to (`getgrouplist`, as
    /// `initgroups` would set them); nil for an unknown user.
    package static func lookUp(_ name: String) -> CommandIdentity? {
        guard let entry = getpwnam(name) else { return nil }
        let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
        var count: Int32 = 16
        var groups = [gid_t](repeating: 0, count: Int(count))
        // getgrouplist says how many there are when the array is too small.
        while getgrouplist(name, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
        }
        return CommandIdentity(userID: uid, groupID: gid, groups: Array(groups.prefix(Int(count))))
    }
}
