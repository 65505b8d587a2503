//! `genloop curate`: the curation pipeline on a JSONL corpus.

use crate::args::CurateArgs;

pub fn execute(_args: &CurateArgs) -> anyhow::Result<()> {
    anyhow::bail!("genloop curate is being built")
}
