//! Building the inspection engine from command-line options, and `rules hash`.

use crate::cli::{InspectOptions, RulesCommand};
use crate::context::Context;
use crate::exit::Exit;
use anyhow::{Context as _, Result, bail};
use chatwarden_inspect::{CustomRules, Engine, EngineConfig};

/// Builds the engine with any custom rules. `exact_key` is the archive's keyed-hash key,
/// needed when a rule file holds `[[exact]]` rules.
pub fn build_engine(options: &InspectOptions, exact_key: Option<[u8; 32]>) -> Result<Engine> {
    let mut custom: Option<CustomRules> = None;
    for path in &options.rules {
        let rules = CustomRules::from_toml_file(path)
            .with_context(|| format!("{}: invalid rules", path.display()))?;
        merge(&mut custom, rules);
    }
    for path in &options.gitleaks {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let (rules, problems) = CustomRules::from_gitleaks_toml(&text)
            .with_context(|| format!("{}: invalid gitleaks rules", path.display()))?;
        for problem in problems {
            eprintln!(
                "warning: {}:{}: rule {} skipped: {}",
                path.display(),
                problem.line,
                problem.id,
                problem.reason
            );
        }
        merge(&mut custom, rules);
    }
    if let Some(rules) = custom.as_mut().filter(|rules| rules.counts().2 > 0) {
        let Some(key) = exact_key else {
            bail!(
                "exact data match rules need the archive's key: run with --data pointing at an archive"
            );
        };
        rules.set_exact_key(key);
    }
    let config = EngineConfig {
        default_region: options.region.clone(),
        custom_rules: custom,
        ..EngineConfig::default()
    };
    Ok(Engine::new(&config)?)
}

fn merge(into: &mut Option<CustomRules>, rules: CustomRules) {
    match into {
        Some(existing) => existing.merge(rules),
        None => *into = Some(rules),
    }
}

pub fn run(ctx: &Context, command: RulesCommand) -> Result<Exit> {
    let RulesCommand::Hash {
        csv,
        column,
        output,
    } = command;
    let mut archive = ctx.open()?;
    let key = archive.finding_hash_key();
    let input =
        std::fs::File::open(&csv).with_context(|| format!("{}: cannot open", csv.display()))?;
    let out = std::fs::File::create(&output)
        .with_context(|| format!("{}: cannot create", output.display()))?;
    let stats = chatwarden_inspect::custom::build_exact_hashes(
        input,
        &column,
        &key,
        std::io::BufWriter::new(out),
    )
    .with_context(|| format!("{}: cannot hash column {column}", csv.display()))?;
    let actor = ctx.actor.clone();
    archive.record_access(&actor, "rules hash", &csv.display().to_string())?;
    println!(
        "wrote {} keyed hash(es) from {} row(s) ({} empty) to {}; the CSV itself is not needed by chatwarden",
        stats.hashes,
        stats.rows,
        stats.empty,
        output.display()
    );
    Ok(Exit::Ok)
}
