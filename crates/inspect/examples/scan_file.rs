//! `chatwarden scan --input jsonl FILE` without the CLI (default engine): reads
//! `{"id","text"}` lines from FILE, prints one JSON line per detection, and the
//! message rate on stderr. For profiling and quick accuracy runs of this crate:
//! `cargo run --release -p chatwarden-inspect --example scan_file -- FILE`.
use chatwarden_inspect::{Engine, EngineConfig, scan_jsonl};
use std::io::{BufReader, BufWriter};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: scan_file FILE.jsonl")?;
    let engine = Engine::new(&EngineConfig::default())?;
    let input = BufReader::new(std::fs::File::open(&path)?);
    let stdout = std::io::stdout();
    let out = BufWriter::new(stdout.lock());
    let start = Instant::now();
    let stats = scan_jsonl(&engine, input, out)?;
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{} messages, {} detections, {secs:.3} s, {:.0} msgs/s",
        stats.messages,
        stats.detections,
        stats.messages as f64 / secs
    );
    Ok(())
}
