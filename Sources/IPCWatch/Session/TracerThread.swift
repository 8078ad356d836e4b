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

    static func start(_ body: @escaping @Sendable () -> Void) throws(IPCWatchError) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let error = pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        guard error == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .system(call: "pthread_create", errno: Errno(rawValue: error))
        }
        pthread_detach(thread)
    }
}
