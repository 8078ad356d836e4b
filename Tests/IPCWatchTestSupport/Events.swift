/// Accessors for one NDJSON event of `ipcwatch -j` (see ``Support/events(_:)``).
extension Dictionary where Key == String, Value == Any {
    public var eventName: String { self["eventName"] as? String ?? "" }
    public var pid: Int { self["processId"] as? Int ?? -1 }
    public var tid: Int { self["threadId"] as? Int ?? -1 }
    public var returnValue: Int { self["returnValue"] as? Int ?? Int.min }
    public var isCompat: Bool { (self["contextFlags"] as? [String: Any])?["isCompat"] as? Bool ?? false }
    public func argument(_ name: String) -> Any? {
        (self["args"] as? [[String: Any]])?.first { $0["name"] as? String == name }?["value"]
    }
    public var pipefd: [Int]? { argument("pipefd") as? [Int] }
}
