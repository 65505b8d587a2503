//! `genloop ingest`: outside sources → JSONL corpora.

use crate::args::IngestCommand;

pub fn execute(_command: IngestCommand) -> anyhow::Result<()> {
    anyhow::bail!("genloop ingest is being built")
}
