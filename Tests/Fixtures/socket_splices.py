"""Splices through every kind of socket strace's -yy names: Unix stream sockets bound to a path and to an
abstract name (and their connected peers), TCP and UDP over IPv4 and IPv6 (connected and not), netlink.
Each splice moves or fails at once; the test compares ipcwatch's lines with strace's. Prints the ports it
listens on and binds, one "KIND PORT" line each, for the test to find in the lines."""
import os
import socket

r, w = os.pipe()
os.chdir("/tmp")
pid = os.getpid()
for name in ["/tmp/ipcwatch-socket-splices-%d.sock" % pid, "\0ipcwatch-socket-splices-%d" % pid,
             "@ipcwatch-socket-splices-%d" % pid,  # a relative path that starts with @: not abstract
             b"\0ipcwatch-socket-splices-%d\0after a NUL" % pid, b"/tmp/ipcwatch-\xff-%d.sock" % pid]:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(name)
    server.listen()
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(name)
    accepted, _ = server.accept()
    client.sendall(b"hi")
    os.splice(accepted.fileno(), w, 2)
    os.splice(r, client.fileno(), 2)
    if name[0] not in ("\0", 0):
        os.unlink(name)
for family, host in [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]:
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname()[:2])
    accepted, _ = listener.accept()
    print("tcp%s %d" % ("6" if family == socket.AF_INET6 else "", listener.getsockname()[1]), flush=True)
    client.sendall(b"yo")
    os.splice(accepted.fileno(), w, 2)
    os.read(r, 2)
    bound = socket.socket(family, socket.SOCK_DGRAM)
    bound.bind((host, 0))
    print("udp%s %d" % ("6" if family == socket.AF_INET6 else "", bound.getsockname()[1]), flush=True)
    connected = socket.socket(family, socket.SOCK_DGRAM)
    connected.connect(bound.getsockname()[:2])
    for sock in [listener, bound, connected]:
        sock.setblocking(False)  # nothing to read: fails at once
        try:
            os.splice(sock.fileno(), w, 1)
        except OSError:
            pass
netlink = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
netlink.setblocking(False)
try:
    os.splice(netlink.fileno(), w, 1)
except OSError:
    pass
