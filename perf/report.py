#!/usr/bin/env python3
"""Turns perf/run.sh's raw results into perf/results/latest.md (tables) and latest.png (ratio chart).

Input: a TSV with one line per measurement: round, workload, server, status ("ok" or "failed: why"),
the wrk output file, the server's CPU ticks (user+sys) over the measured run, and for the idle workload
"RSS-before-kB RSS-after-kB connections". Called by run.sh; it can be re-run on perf/results/raw/results.tsv.
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
from dataclasses import dataclass, field

SERVER_NAMES = {"eventcore": "EventCore", "eventcore-inline": "EventCore (inline)", "eventcore-threadpool": "EventCore (thread pool)", "kestrel": "Kestrel", "kestrel-epoll": "Kestrel (epoll)", "nginx": "nginx"}
WORKLOAD_NAMES = {  # also the order of the tables and the chart
    "plaintext": "plaintext",
    "json": "json",
    "pipelined": "plaintext pipelined ×16",
    "static-600": "static file 600 B",
    "static-100k": "static file 100 KiB",
    "conn-1000": "plaintext, 1,000 connections",
    "conn-4096": "plaintext, 4,096 connections",
    "short-lived": "short-lived connections",
    "upload-20m": "upload 20 MiB",
    "idle": "idle keep-alive connection memory",
}
# EventCore/Kestrel targets (pinned profile). Throughput: ratio at least; idle memory: ratio at most.
TARGETS = {"plaintext": 1.8, "json": 1.8, "pipelined": 1.5, "static-600": 1.5, "static-100k": 2.0, "conn-1000": 1.5,
           "conn-4096": 1.5, "short-lived": 1.5, "upload-20m": 1.0, "idle": 0.25}
# EventCore/Kestrel-epoll targets: the HTTP layers compared on the same transport and scheduling.
HTTP_LAYER_TARGETS = {"plaintext": 1.2, "json": 1.2, "pipelined": 1.2}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


@dataclass
class Run:
    """One measured wrk run (or one idle-memory measurement)."""

    round: int
    status: str
    rps: float | None = None
    p50: float | None = None
    p99: float | None = None
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    us_per_request: float | None = None
    idle_bytes: float | None = None
    idle_detail: str = ""

    @property
    def valid(self) -> bool:
        return self.status == "ok" and not self.errors and (self.rps is not None or self.idle_bytes is not None)


RAW_DIR = ""  # the folder of the results TSV: raw files are looked up there when their recorded path is gone


def locate(path: str) -> str:
    if os.path.exists(path) or not RAW_DIR:
        return path
    return os.path.join(RAW_DIR, os.path.basename(path))


def to_ms(text: str) -> float | None:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    return float(match.group(1)) * UNITS[match.group(2)] if match else None


def parse_wrk(path: str, cpu_ticks: str, clock_ticks: int) -> Run:
    run = Run(round=0, status="ok")
    try:
        with open(locate(path), encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        run.errors.append("no wrk output")
        return run
    if match := re.search(r"Requests/sec:\s+([\d.]+)", text):
        run.rps = float(match.group(1))
    if match := re.search(r"(\d+) requests in", text):
        run.requests = int(match.group(1))
    for percentile, attribute in (("50", "p50"), ("99", "p99")):
        if match := re.search(rf"^\s+{percentile}(?:\.000)?%\s+(\S+)", text, re.MULTILINE):
            # wrk's histogram sometimes prints 0.00us for p99 under pipelining: no reading, not zero latency.
            value = to_ms(match.group(1))
            setattr(run, attribute, value if value else None)
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        counts = dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups())))
        run.errors += [f"socket {kind} {count}" for kind, count in counts.items() if count]
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        run.errors.append(f"non-2xx {match.group(1)}")
    if run.rps is None or run.requests == 0:
        run.errors.append("no requests completed: " + " ".join(text.split())[:160])
    if cpu_ticks and run.requests:
        run.us_per_request = int(cpu_ticks) / clock_ticks * 1e6 / run.requests
    return run


def load(path: str) -> dict[tuple[str, str], list[Run]]:
    clock_ticks = os.sysconf("SC_CLK_TCK")
    runs: dict[tuple[str, str], list[Run]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 7:
                continue
            round_text, workload, server, status, wrk_file, cpu_ticks, extra = parts[:7]
            if status != "ok":
                run = Run(round=int(round_text), status=status)
            elif workload == "idle":
                before, after, connections = (int(value) for value in extra.split())
                run = Run(round=int(round_text), status=status)
                run.idle_bytes = (after - before) * 1024 / connections if connections else None
                run.idle_detail = f"{before / 1024:.1f} → {after / 1024:.1f} MiB"
            else:
                run = parse_wrk(wrk_file, cpu_ticks, clock_ticks)
                run.round = int(round_text)
            if status != "ok" and workload == "idle" and extra:
                run.idle_detail = extra
            runs.setdefault((workload, server), []).append(run)
    return runs


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio_per_round(runs, workload: str, server: str, base: str = "kestrel", cpu: bool = False) -> dict[int, float]:
    """server/base per round (req/s, or bytes for idle); with cpu, base/server of CPU µs per request."""
    def value(run: Run) -> float | None:
        return run.us_per_request if cpu else run.idle_bytes if workload == "idle" else run.rps

    mine = {run.round: value(run) for run in runs.get((workload, server), []) if run.valid}
    theirs = {run.round: value(run) for run in runs.get((workload, base), []) if run.valid}
    pairs = {r: (mine[r], theirs[r]) for r in sorted(mine) if r in theirs and mine[r] and theirs[r]}
    return {r: (b / a if cpu else a / b) for r, (a, b) in pairs.items()}


def short(status: str) -> str:
    return status if len(status) <= 70 else status[:70] + "… (see the warning above)"


def fmt(value: float | None, pattern: str = "{:,.0f}") -> str:
    return "—" if value is None else pattern.format(value)


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} µs" if value < 1 else f"{value:.2f} ms"


def command_output(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10, check=False).stdout + ""
    except OSError:
        return ""


def machine_line(dotnet: str) -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), model)
    except OSError:
        pass
    wrk = (command_output("wrk", "-v").splitlines() or ["wrk ?"])[0].split(" [")[0]
    nginx = re.search(r"nginx/(\S+)", subprocess.run(["sh", "-c", "nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1"], capture_output=True, text=True, check=False).stdout)
    return (f"{os.cpu_count()} × {model} (nproc {len(os.sched_getaffinity(0))}), Linux {platform.release()}, "
            f".NET (ASP.NET Core runtime) {dotnet}, {wrk}, nginx {nginx.group(1) if nginx else '?'}")


def verdict(workload: str, ratio: float | None, runs, idle_connections: int) -> str:
    target = TARGETS[workload]
    if ratio is None:
        return "✗ (no valid EventCore/Kestrel pair)"
    if workload == "idle":
        if ratio <= 0:
            return "✗ (not measurable: EventCore's RSS did not grow)"
        if idle_connections < 10000:
            return f"? (indicative only: {idle_connections:,} connections are within the noise; the full run holds 10,000)"
        return "✓" if ratio <= target else "✗"
    ok = ratio >= target
    if workload == "conn-1000":
        p99 = {s: median([r.p99 for r in runs.get((workload, s), []) if r.valid and r.p99 is not None]) for s in ("eventcore", "kestrel")}
        if p99["eventcore"] is None or p99["kestrel"] is None:
            return "✗ (p99 missing)"
        p99_ok = p99["eventcore"] <= p99["kestrel"]
        return ("✓" if ok and p99_ok else "✗") + f" (p99 {fmt_ms(p99['eventcore'])} vs {fmt_ms(p99['kestrel'])})"
    return "✓" if ok else "✗"


def build_markdown(args, runs) -> tuple[str, dict]:
    servers = [s for s in args.servers.split(",") if s]
    workloads = sorted((w for w in args.workloads.split(",") if w), key=list(WORKLOAD_NAMES).index)
    lines = ["# EventCore load benchmark — latest results", ""]
    warmup_text = (f"each after a {args.warmup} s warm-up" if float(args.warmup) > 0
                   else "no per-run warm-up (the JIT warm-up pass ran every workload just before)")
    lines.append(f"Generated by `perf/run.sh{' --quick' if args.quick == '1' else ''}` on {args.started}. "
                 f"Profile **{args.profile}** ({'servers on CPU 0, `taskset -c 1 wrk -t1`' if args.profile == 'pinned' else 'servers and `wrk -t2` unpinned on both cores'}); "
                 f"{args.rounds} round(s) in alternation; {args.duration} s measured runs, {warmup_text}; "
                 f"{int(args.idle_connections):,} idle connections. Method: [docs/benchmarks.md](../../docs/benchmarks.md).")
    lines += ["", f"**Machine:** {machine_line(args.dotnet)}", ""]
    if args.load:
        lines += [f"**Load average** (1, 5, 15 min) at the start → at the end: {args.load}. The run itself keeps about 2 runnable "
                  "(the server's core and wrk's); well above that, other work competed with the measurement: trust the per-round "
                  "ratios and the CPU-per-request column more than absolute req/s.", ""]

    problems = [args.build_note] if args.build_note else []
    failures: dict[tuple[str, str], list[str]] = {}
    for (workload, server), server_runs in sorted(runs.items()):
        for run in server_runs:
            if run.status != "ok":
                failures.setdefault((server, run.status), []).append(f"{workload} r{run.round}")
            elif run.errors:
                problems.append(f"{SERVER_NAMES.get(server, server)} / {workload} / round {run.round}: **{', '.join(run.errors)}** — measurement discarded")
    for (server, status), where in failures.items():
        problems.insert(0, f"{SERVER_NAMES.get(server, server)} — {len(where)} measurement(s) ({', '.join(where)}): **{status}**")
    if problems:
        lines.append("> [!WARNING]")
        lines.append(f"> **FAILED or erroneous measurements — they do not count ({len(problems)}):**")
        shown = problems[:25]
        lines += [f"> - {problem}" for problem in shown]
        if len(problems) > len(shown):
            lines.append(f"> - … and {len(problems) - len(shown)} more")
        lines.append("")

    chart: dict[str, dict[str, float | None]] = {}
    heading = "## Targets (EventCore / Kestrel, pinned profile)" if args.profile == "pinned" else \
        f"## Targets (EventCore / Kestrel) — set for the pinned profile; this run is {args.profile}"
    # Optional EventCore variants (eventcore-inline, eventcore-threadpool) get a ratio column when they ran.
    variants = [server for server in ("eventcore-inline", "eventcore-threadpool") if server in servers]
    variant_headers = "".join(f"| {SERVER_NAMES[v]}/Kestrel (median) " for v in variants)
    lines += [heading, "",
              f"| Workload | Target | EventCore/Kestrel (median) | per round {variant_headers}| Kestrel-epoll/Kestrel (median) "
              "| EventCore/Kestrel-epoll (median; target) | nginx/Kestrel (median) | CPU per request, Kestrel/EventCore | Met |",
              "|---|---|---|---|" + "---|" * len(variants) + "---|---|---|---|---|"]
    for workload in workloads:
        per_round = ratio_per_round(runs, workload, "eventcore")
        ec = median(list(per_round.values()))
        ke = median(list(ratio_per_round(runs, workload, "kestrel-epoll").values()))
        variant_ratios = {v: median(list(ratio_per_round(runs, workload, v).values())) for v in variants}
        ng = median(list(ratio_per_round(runs, workload, "nginx").values()))
        chart[workload] = {"eventcore": ec, "kestrel-epoll": ke, **variant_ratios}
        target = ("≤ " if workload == "idle" else "≥ ") + f"{TARGETS[workload]:.2f}" + (" and p99 ≤ Kestrel's" if workload == "conn-1000" else "")
        rounds_text = ", ".join(f"{value:.2f}" for value in per_round.values()) or "—"
        efficiency = None if workload == "idle" else median(list(ratio_per_round(runs, workload, "eventcore", cpu=True).values()))
        variant_cells = "".join(f"| {fmt(value, '{:.2f}')} " for value in variant_ratios.values())
        layer = median(list(ratio_per_round(runs, workload, "eventcore", base="kestrel-epoll").values()))
        layer_target = HTTP_LAYER_TARGETS.get(workload)
        layer_cell = fmt(layer, '{:.2f}') + (f"; ≥ {layer_target:.2f} {'✓' if layer is not None and layer >= layer_target else '✗'}"
                                             if layer_target and layer is not None else "")
        lines.append(f"| {WORKLOAD_NAMES[workload]} | {target} | {fmt(ec, '{:.2f}')} | {rounds_text} {variant_cells}| {fmt(ke, '{:.2f}')} "
                     f"| {layer_cell} | {fmt(ng, '{:.2f}')} "
                     f"| {fmt(efficiency, '{:.2f}')} | {verdict(workload, ec, runs, int(args.idle_connections))} |")
    lines.append("")

    lines += ["## Throughput and latency (median over valid rounds)", "",
              "| Workload | Server | req/s | p50 | p99 | CPU µs/request | errors | ratio to Kestrel | req/s per round |",
              "|---|---|---:|---:|---:|---:|---|---|---|"]
    for workload in (w for w in workloads if w != "idle"):
        for server in servers:
            server_runs = runs.get((workload, server), [])
            valid = [run for run in server_runs if run.valid]
            errors = "; ".join(f"r{run.round}: {', '.join(run.errors) if run.errors else short(run.status)}" for run in server_runs if not run.valid)
            ratio = median(list(ratio_per_round(runs, workload, server).values())) if server.startswith("eventcore") else None
            per_round = ", ".join(f"{run.rps:,.0f}" + ("" if run.valid else " ✗") if run.rps is not None else "✗" for run in server_runs) or "—"
            if not valid:
                lines.append(f"| {WORKLOAD_NAMES[workload]} | {SERVER_NAMES[server]} | **FAILED** | — | — | — | **{errors or 'not run'}** | — | {per_round} |")
                continue
            lines.append(
                f"| {WORKLOAD_NAMES[workload]} | {SERVER_NAMES[server]} | {fmt(median([r.rps for r in valid if r.rps is not None]))} "
                f"| {fmt_ms(median([r.p50 for r in valid if r.p50 is not None]))} | {fmt_ms(median([r.p99 for r in valid if r.p99 is not None]))} "
                f"| {fmt(median([r.us_per_request for r in valid if r.us_per_request is not None]), '{:.1f}')} "
                f"| {('**' + errors + '**') if errors else '0'} | {fmt(ratio, '{:.2f}')} | {per_round} |")
    lines.append("")

    if "idle" in workloads:
        lines += ["## Idle keep-alive connections", "",
                  f"Server RSS growth with {int(args.idle_connections):,} idle keep-alive connections (each answered one GET), "
                  "divided by the connection count; .NET servers get a full GC before each RSS reading.", "",
                  "| Server | bytes per idle connection (median) | RSS before → after (last valid round) | per round |", "|---|---:|---|---|"]
        for server in servers:
            server_runs = runs.get(("idle", server), [])
            valid = [run for run in server_runs if run.valid]
            per_round = ", ".join(fmt(run.idle_bytes) if run.valid else "✗" for run in server_runs) or "—"
            if not valid:
                why = "; ".join(short(run.status) for run in server_runs) or "not run"
                lines.append(f"| {SERVER_NAMES[server]} | **FAILED** | **{why}** | {per_round} |")
            else:
                lines.append(f"| {SERVER_NAMES[server]} | {fmt(median([r.idle_bytes for r in valid if r.idle_bytes is not None]))} | {valid[-1].idle_detail} | {per_round} |")
        lines.append("")
    lines += ["How to read: req/s higher is better; p50/p99 are wrk's latency percentiles; CPU µs/request is the server "
              "process's user+sys CPU time over the measured run divided by the requests wrk completed (lower is better, and "
              "the number that matters when a core is the limit). Ratios are computed per round and the median is shown; a ratio "
              "is only formed from two valid runs of the same round. \"CPU per request, Kestrel/EventCore\" is the same comparison "
              "made on CPU time instead of throughput: above 1 EventCore spends less CPU per request; it is less disturbed by "
              "other load on a shared machine than req/s. Pipelined ×16: wrk's latency is per batch of 16, and its p99 reads "
              "as 0 at times (a wrk histogram quirk), shown as —.", ""]
    return "\n".join(lines), chart


def draw_chart(chart: dict, path: str, title: str) -> str:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no chart"
    workloads = list(chart)
    figure, axes = plt.subplots(figsize=(max(7, 1.5 * len(workloads) + 2), 4.8))
    series = (("eventcore", "EventCore / Kestrel", "#2b7bba"), ("eventcore-inline", "EventCore-inline / Kestrel", "#6fb0e0"),
              ("eventcore-threadpool", "EventCore-threadpool / Kestrel", "#a8d0ee"), ("kestrel-epoll", "Kestrel-epoll / Kestrel", "#9aa9b8"))
    series = tuple(item for item in series if item[0] == "eventcore" or any(chart[w].get(item[0]) is not None for w in chart))
    width = 0.8 / len(series)
    for offset, (server, label, color) in enumerate(series):
        for index, workload in enumerate(workloads):
            value = chart[workload].get(server)
            x = index + (offset - (len(series) - 1) / 2) * width
            if value is None:
                axes.text(x, 0.1, "failed", rotation=90, ha="center", va="bottom", fontsize=8, color="#b03030")
                continue
            axes.bar(x, value, width, color=color, label=label if index == 0 or not axes.get_legend_handles_labels()[1].count(label) else None)
            axes.text(x, value, f"{value:.2f}", ha="center", va="bottom", fontsize=8)
    for index, workload in enumerate(workloads):
        axes.hlines(TARGETS[workload], index - 0.45, index + 0.45, colors="#d04020", linestyles="dashed", label="target" if index == 0 else None)
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_ylim(bottom=0)
    axes.set_xticks(range(len(workloads)))
    axes.set_xticklabels([WORKLOAD_NAMES[w].replace(", ", ",\n").replace(" keep-alive connection memory", "\nmemory (lower better)") for w in workloads], fontsize=8)
    axes.set_ylabel("ratio to Kestrel (Sockets)")
    axes.set_title(title, fontsize=10)
    handles, labels = axes.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    axes.legend(unique.values(), unique.keys(), fontsize=8, loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return ""


def parse_strace(path: str) -> dict[str, int]:
    """Calls per syscall from an `strace -c` summary."""
    calls: dict[str, int] = {}
    try:
        with open(locate(path), encoding="utf-8", errors="replace") as handle:
            for line in handle:
                tokens = line.split()
                if len(tokens) >= 5 and re.fullmatch(r"[\d.]+", tokens[0]) and tokens[-1] != "total":
                    calls[tokens[-1]] = int(tokens[3])
    except OSError:
        pass
    return calls


def build_syscalls_markdown(args) -> str:
    lines = ["# EventCore — where the time goes per request", "",
             f"Generated by `perf/run.sh --syscalls` on {args.started}, profile **{args.profile}**, plaintext and plaintext "
             f"pipelined ×16, 64 keep-alive connections. Context switches: all threads of the server over a {args.duration} s wrk run (no tracing). "
             "Syscalls: `strace -c -f` attached to the server (its nginx worker) over a short wrk run; strace slows the "
             "server a lot, so read the counts per request, not the req/s.", "",
             f"**Machine:** {machine_line(args.dotnet)}", ""]
    if args.build_note:
        lines += ["> [!WARNING]", f"> **{args.build_note}**", ""]
    lines += ["| Workload | Server | req/s (untraced) | context switches / request | syscalls / request (traced) | top syscalls per request |",
              "|---|---|---:|---:|---:|---|"]
    clock_ticks = os.sysconf("SC_CLK_TCK")
    with open(args.results, encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if line.strip()]
    for _, workload, server, status, wrk_file, switches, extra in (row[:7] for row in rows if len(row) >= 7):
        label = f"| {WORKLOAD_NAMES.get(workload, workload)} | {SERVER_NAMES.get(server, server)} "
        if status != "ok":
            lines.append(label + f"| **FAILED** | — | — | {short(status)} |")
            continue
        untraced = parse_wrk(wrk_file, "", clock_ticks)
        strace_file, traced_wrk = extra.split()
        traced = parse_wrk(traced_wrk, "", clock_ticks)
        calls = parse_strace(strace_file)
        per_request = {name: count / traced.requests for name, count in calls.items()} if traced.requests else {}
        top = ", ".join(f"{name} {value:.2f}" for name, value in sorted(per_request.items(), key=lambda item: -item[1])[:6])
        switches_per_request = int(switches) / untraced.requests if untraced.requests else None
        lines.append(label + f"| {fmt(untraced.rps)} | {fmt(switches_per_request, '{:.3f}')} "
                     f"| {fmt(sum(per_request.values()) if per_request else None, '{:.2f}')} | {top or '—'} |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("mode", "load", "results", "out", "profile", "rounds", "duration", "warmup", "idle-connections", "dotnet", "started", "servers", "workloads", "quick", "build-note"):
        parser.add_argument(f"--{name}", default="")
    args = parser.parse_args()
    global RAW_DIR  # pylint: disable=global-statement
    RAW_DIR = os.path.dirname(os.path.abspath(args.results))
    if args.mode == "syscalls":
        with open(os.path.join(args.out, "syscalls.md"), "w", encoding="utf-8") as handle:
            handle.write(build_syscalls_markdown(args))
        return
    runs = load(args.results)
    markdown, chart = build_markdown(args, runs)
    note = draw_chart(chart, os.path.join(args.out, "latest.png"), f"EventCore vs Kestrel, {args.profile}, {args.started}")
    markdown += ("\n" + note + "\n") if note else "\n![ratios to Kestrel](latest.png)\n"
    with open(os.path.join(args.out, "latest.md"), "w", encoding="utf-8") as handle:
        handle.write(markdown)


if __name__ == "__main__":
    main()
