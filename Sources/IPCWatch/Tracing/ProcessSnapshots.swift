#if canImport(Glibc)
import Glibc
#endif

/// Takes the ``ProcessSnapshot``s ``Topology`` needs (with ``TraceOptions/processSnapshots``): what
/// pipe ends a process holds after an exec, when attached and at its exit, plus a peek at its parent.
struct ProcessSnapshots {
    /// Who a process is and its `argv[0]`, read once per exec.
    private var known: [pid_t: (identity: ThreadIdentity, argv0: String)] = [:]
    /// Unix sockets seen so far, with their peers.
    private var unixSockets: UnixSockets? = UnixSockets()

    /// What the stopped `pid` holds now and, if it holds pipe ends, what its traced parent holds: the
    /// parent is looked at before `pid` is resumed, so that a parent waiting for this child's exit cannot
    /// close its ends first (Python closes them at shutdown, right after `join`).
    mutating func capture(_ pid: pid_t, at moment: ProcessSnapshot.Moment, isTraced: (pid_t) -> Bool) -> [ProcessSnapshot] {
        let held = snapshot(pid, at: moment)
        guard !held.pipes.isEmpty || !held.channels.isEmpty, isTraced(held.parentProcessID) else { return [held] }
        return [held, snapshot(held.parentProcessID, at: .peek)]
    }

    /// `pid` exec'd (a new name and argv) or ended.
    mutating func forget(_ pid: pid_t) { known[pid] = nil }

    /// What `pid` holds now, alone (at attach time).
    mutating func snapshot(_ pid: pid_t, at moment: ProcessSnapshot.Moment) -> ProcessSnapshot {
        let (identity, argv0) = known[pid] ?? {
            let read = (ProcFS.identity(of: pid) ?? ThreadIdentity(processID: pid, parentProcessID: 0, userID: 0, name: "?"),
                        ProcFS.argv0(of: pid))
            known[pid] = read
            return read
        }()
        let (pipes, channels) = ProcFS.descriptors(of: pid, unixSockets: &unixSockets)
        return ProcessSnapshot(moment: moment, processID: identity.processID, parentProcessID: identity.parentProcessID,
                               processName: identity.name, argv0: argv0, pipes: pipes, channels: channels)
    }
}
