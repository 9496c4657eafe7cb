#!/usr/bin/env python3
"""perf/tools/layers.py PERF_DATA [--functions REGEX]: where a server's CPU goes, by layer.

Each sample of a `perf record -g` profile is charged to the first frame on its stack, from the leaf up, that belongs
to a named layer; runtime plumbing (CoreLib, System.Runtime, System.IO.Pipelines, System.Memory, stubs, libcoreclr,
libc, the kernel) is skipped, so a write barrier, a cast helper or a syscall counts for the layer that called it:
a writev under the transport's Interop.Writev is the transport's, a GVM lookup under the server's code is the HTTP
layer's. Managed frames are named by the perf map (DOTNET_PerfMapEnabled=1, DOTNET_EnableWriteXorExecute=0).

Layers: http (EventCore.Server or Kestrel.Core), transport (EventCore.Transport.Epoll or Kestrel's Sockets
transport), hosting+app (ASP.NET Core hosting, routing, logging, diagnostics, the app), and "no managed caller"
(kernel work with no managed frame above it: softirqs, interrupts, the scheduler).
Prints one line per layer: share of samples. With --functions REGEX: per function instead, for functions whose
"Assembly Type::Method" matches.
"""
import collections
import re
import subprocess
import sys

LAYERS = [
    ('http', re.compile(r'^(Microsoft\.AspNetCore\.Server\.Kestrel\.Core|EventCore\.Server)$')),
    ('transport', re.compile(r'^(EventCore\.Transport\.Epoll|Microsoft\.AspNetCore\.Server\.Kestrel\.Transport\.\w+)$')),
    ('hosting+app', re.compile(r'^(Microsoft\.AspNetCore\.[\w.]+|Microsoft\.Extensions\.[\w.]+|System\.Diagnostics\.DiagnosticSource|System\.Text\.Json|MinimalApi|UserApp)$')),
]
PLUMBING = re.compile(r'^(System\.Private\.CoreLib|System\.Runtime|System\.IO\.Pipelines|System\.Memory|System\.Collections\.Concurrent|System\.Threading)$')
# "… [Assembly] Namespace.Type`1+<M>d__6[System.__Canon]::Method(…)": the bracket right before the method's type.
FRAME = re.compile(r'\[([A-Za-z][\w.]*)\]\s*([\w.`+<>]+(?:\[[^\]]*\])?::[\w.<>`|]+)')
NO_CALLER = 'no managed caller'


def samples(data):
    out = subprocess.run(['perf', 'script', '-i', data, '-F', 'ip,sym'], capture_output=True, text=True, check=True).stdout
    stack = []
    for line in out.splitlines():
        if line.strip():
            stack.append(line)
        elif stack:
            yield stack
            stack = []
    if stack:
        yield stack


def first_named(stack):
    """(assembly, Type::Method) of the first non-plumbing managed frame, leaf first; None if there is none."""
    for frame in stack:
        match = FRAME.search(frame)
        if match and not PLUMBING.match(match.group(1)):
            return match.group(1), match.group(2)
    return None


def layer_of(assembly):
    for name, pattern in LAYERS:
        if pattern.match(assembly):
            return name
    return 'other (' + assembly + ')'


def main():
    args = sys.argv[1:]
    functions = None
    if '--functions' in args:
        i = args.index('--functions')
        functions = re.compile(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    counts = collections.Counter()
    total = 0
    for stack in samples(args[0]):
        total += 1
        named = first_named(stack)
        if functions is None:
            counts[layer_of(named[0]) if named else NO_CALLER] += 1
        elif named and functions.search(named[0] + ' ' + named[1]):
            counts[named[0] + ' ' + named[1]] += 1
    for key, count in counts.most_common(40 if functions else None):
        print(f'{100 * count / max(total, 1):5.1f}%  {key}')
    print(f'{total} samples')


if __name__ == '__main__':
    main()
