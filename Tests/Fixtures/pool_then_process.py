"""A multiprocessing Pool, then a later Process, logging its own pipe traffic as ground truth.

Usage: python3 pool_then_process.py LOG

Every os.write and os.read that multiprocessing's Connection makes (the Pool's task, result and
change-notifier queues are Connections over os.pipe) appends "PID write|read FD INODE BYTES" to LOG,
with the inode from os.fstat; each process appends "PID role ROLE - 0" (parent, later); prints the
pool's result. The later Process is forked after the pool is done: it inherits the pool's pipe ends
(the parent keeps them open) and touches none.
"""
import multiprocessing as mp
import multiprocessing.connection as connection
import os
import sys

LOG = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)


def log(*words):
    # One O_APPEND write per line: atomic between the processes and threads that log.
    os.write(LOG, (" ".join(str(w) for w in words) + "\n").encode())


send, recv = connection.Connection._send, connection.Connection._recv


def logged_send(self, buf, write=os.write):
    def counted(fd, data):
        n = write(fd, data)
        log(os.getpid(), "write", fd, os.fstat(fd).st_ino, n)
        return n
    return send(self, buf, counted)


def logged_recv(self, size, read=os.read):
    def counted(fd, n):
        chunk = read(fd, n)
        if chunk:
            log(os.getpid(), "read", fd, os.fstat(fd).st_ino, len(chunk))
        return chunk
    return recv(self, size, counted)


connection.Connection._send, connection.Connection._recv = logged_send, logged_recv


def square(x):
    return x * x


def later():
    log(os.getpid(), "role", "later", "-", 0)


if __name__ == "__main__":
    mp.set_start_method("fork")
    log(os.getpid(), "role", "parent", "-", 0)
    with mp.Pool(2) as pool:
        total = sum(pool.map(square, range(100), chunksize=10))
    process = mp.Process(target=later)
    process.start()
    process.join()
    print(total)
