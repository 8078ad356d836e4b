#if canImport(Glibc)
import Glibc
#endif

/// A detached POSIX thread for one trace: ptrace binds tracees to the thread that attached them, so the
/// tracer cannot run on Swift's cooperative pool, whose threads are shared and may change at every await.
enum TracerThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Runs `body` on a new thread that blocks every signal: the host's handlers run on its own threads,
    /// and a trace is woken by its ``Waker``, never by a signal.
    static func start(_ body: @escaping @Sendable () -> Void) throws(IPCWatchError) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var all = sigset_t(), saved = sigset_t()
        sigfillset(&all)
        // The new thread inherits the mask in force at pthread_create: no signal can reach it first.
        pthread_sigmask(SIG_SETMASK, &all, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        var thread = pthread_t()
        let error = pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        guard error == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .cannotStart(.thread, errno: Errno(rawValue: error))
        }
        pthread_detach(thread)
    }
}
