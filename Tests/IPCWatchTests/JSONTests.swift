import Foundation
import Testing
@testable import IPCWatch

@Suite("Tracee JSON")
struct JSONTests {
    private func object(_ event: Event) throws -> [String: Any] {
        let line = TraceeJSONFormat().line(for: event)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    private func event(_ call: Call, _ result: SyscallResult = .success(0), arch: Architecture = .x86_64,
                       multiplexed: MultiplexedCall? = nil) -> Event {
        Event(timestamp: 1_700_000_000_123_456_789, processID: 10, threadID: 11, parentProcessID: 1, userID: 1000,
              processName: "na\"me", architecture: arch, call: call, multiplexed: multiplexed, result: result, duration: 5)
    }

    @Test func pipe2() throws {
        let json = try object(event(.pipe2(.fds(read: 3, write: 4), flags: 0o2000000)))
        #expect(json["eventName"] as? String == "pipe2" && json["syscall"] as? String == "pipe2")
        #expect(json["eventId"] as? String == "293")
        #expect(json["timestamp"] as? Int == 1_700_000_000_123_456_789)
        #expect(json["processId"] as? Int == 10 && json["threadId"] as? Int == 11 && json["parentProcessId"] as? Int == 1)
        #expect(json["processName"] as? String == "na\"me")
        #expect(json["argsNum"] as? Int == 2)
        let args = try #require(json["args"] as? [[String: Any]])
        #expect(args[0]["name"] as? String == "pipefd" && args[0]["type"] as? String == "[2]int")
        #expect(args[0]["value"] as? [Int] == [3, 4])
        #expect(args[1]["name"] as? String == "flags" && args[1]["type"] as? String == "int32" && args[1]["value"] as? Int == 0o2000000)
        #expect((json["contextFlags"] as? [String: Any])?["isCompat"] as? Bool == false)
    }

    @Test func failedPipeHasNullFds() throws {
        let json = try object(event(.pipe(.pointer(0)), .failure(Errno(rawValue: EFAULT))))
        #expect(json["returnValue"] as? Int == -Int(EFAULT))
        let args = try #require(json["args"] as? [[String: Any]])
        #expect(args[0]["value"] is NSNull)
    }

    @Test func multiplexedKeepsRawArgsAndAddsSubcall() throws {
        let raw = MultiplexedCall(call: 13, first: 0, second: 0o1600, third: 0, ptr: 0, fifth: 0)
        let json = try object(event(.msgget(key: 0, flags: 0o1600), .success(5), arch: .i386, multiplexed: raw))
        #expect(json["eventName"] as? String == "ipc")
        #expect((json["contextFlags"] as? [String: Any])?["isCompat"] as? Bool == true)
        let args = try #require(json["args"] as? [[String: Any]])
        #expect(args.map { $0["name"] as? String ?? "" } == ["call", "first", "second", "third", "ptr", "fifth"])
        #expect(args[0]["value"] as? Int == 13)
        let sub = try #require(json["ipcCall"] as? [String: Any])
        #expect(sub["eventName"] as? String == "msgget")
        #expect(((sub["args"] as? [[String: Any]])?.map { $0["name"] as? String ?? "" }) == ["key", "msgflg"])
    }
}
