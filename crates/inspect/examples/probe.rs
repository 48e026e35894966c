//! Prints detections for each line of stdin (a debugging aid).
use chatwarden_inspect::{Engine, EngineConfig, ScanContext};
use std::io::BufRead;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(&EngineConfig::default())?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let ds = engine.scan(&line, &ScanContext::default());
        println!("{line}");
        for d in ds {
            println!(
                "   {} [{}..{}] {:.2} {} {:?}",
                d.entity, d.start, d.end, d.score, d.detector, d.value
            );
        }
    }
    Ok(())
}
