//! Command-line arguments (clap). Only parsing lives here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "genloop",
    version,
    about = "Run the generational training loop of generative models and measure when they collapse"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunOptions {
    /// Run folder to create (default: runs/<name>-<UTC time>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the per-generation aggregates as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    /// Continue an interrupted run in --out: finished replicates are kept.
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// Do not write the report (report.html, plots/) at the end.
    #[arg(long)]
    pub no_report: bool,
    /// Run as one cell of a sweep or plan: no progress of its own, and the sweep's
    /// word on how to continue after an interrupt.
    #[arg(skip)]
    pub cell: bool,
    /// The command that continues this run after an interrupt, where it is not
    /// `genloop run CONFIG --out DIR --resume` (the demo's parts).
    #[arg(skip)]
    pub resume_hint: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the built-in demo in three parts: a Gaussian under every data policy (with
    /// theory), a bigram model on the synthetic language, and curation of a
    /// contaminated fresh stream (the seed's recipe vs replace and accumulate).
    Demo {
        #[command(flatten)]
        options: RunOptions,
    },
    /// Run the experiment of a TOML config.
    Run {
        /// The experiment config (see configs/).
        config: PathBuf,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Export a run folder's measurements as CSV (`arm,replicate,generation,metric,value`).
    Export {
        /// The run folder.
        dir: PathBuf,
        /// The export format (csv: `arm,replicate,generation,metric,value`).
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Only this arm (default: every arm, one file each).
        #[arg(long)]
        arm: Option<String>,
        /// One output file (every selected arm, told apart by the `arm` column), or - for
        /// stdout. Default: DIR/csv/<arm>.csv, one file per arm (rewritten each time).
        #[arg(long, visible_alias = "output")]
        out: Option<PathBuf>,
        /// Replace an existing --out file.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Write the report of a run folder from its store: report.html and plots/.
    Report {
        /// The run folder.
        dir: PathBuf,
        /// html: report.html plus every plot as SVG and PNG; svg or png: the plots only.
        #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
        format: ReportFormat,
    },
    /// A small KenLM: train, evaluate, sample and export n-gram language models.
    Lm {
        #[command(subcommand)]
        command: LmCommand,
    },
    /// Curate a JSONL corpus with the loop's filters: quality rules, exact and
    /// near-duplicate removal; kept records to --out, dropped ones (with the reason)
    /// to --rejects, statistics on stderr (or stdout with --json).
    Curate(CurateArgs),
    /// Turn an outside source into a JSONL corpus.
    Ingest {
        #[command(subcommand)]
        command: IngestCommand,
    },
    /// Run a grid of configs: a sweep file is a config (or `base = "config.toml"`) with
    /// a [grid] of dotted keys to value lists and `seeds = [...]`. Every cell is checked
    /// first; cells run in parallel into DIR/cells/<id>/, and a rerun skips finished
    /// cells and continues a partial one. With --slurm, a job array runs them.
    Sweep(SweepArgs),
    /// Find the smallest (or largest) value of one config key that keeps a target at
    /// the final generation, by bisection with enough replicates: each value tried is
    /// a cell of the plan folder (DIR/cells/<id>/), replicates double while the
    /// target's 95 % interval straddles it, and the answer comes with an interval.
    Plan(PlanArgs),
    /// Merge every cell of a sweep folder into DIR/results.sqlite and DIR/results.csv,
    /// the cell's parameters as columns; names missing or failed cells and fails
    /// instead of merging part of a sweep.
    Collect {
        /// The sweep folder (`genloop sweep --out`).
        dir: PathBuf,
    },
    /// Print the per-generation aggregates of a finished run folder.
    Summary {
        /// The run folder.
        dir: PathBuf,
        /// Print the aggregates as one JSON document (the `run --json` document).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// The sweep file.
    pub sweep: PathBuf,
    /// The sweep folder: cells.json, cells/<id>/ per cell, slurm/ for a job array.
    /// Rerunning into the same folder continues the sweep.
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads shared by all cells running at once (default: all cores);
    /// under --cell, the cell's threads. Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write a Slurm job array script (DIR/slurm/sweep.sbatch), one task per
    /// unfinished cell, and submit it with sbatch.
    #[arg(long)]
    pub slurm: bool,
    /// Slurm partition.
    #[arg(long, requires = "slurm")]
    pub partition: Option<String>,
    /// Slurm time limit per cell (e.g. 1:00:00).
    #[arg(long, requires = "slurm")]
    pub time: Option<String>,
    /// CPUs per array task (each cell's threads).
    #[arg(long, default_value_t = 1, requires = "slurm")]
    pub cpus: usize,
    /// At most this many array tasks at once (Slurm's `%` throttle).
    #[arg(long, requires = "slurm")]
    pub throttle: Option<usize>,
    /// Write the sbatch script without submitting it.
    #[arg(long, requires = "slurm")]
    pub no_submit: bool,
    /// Print how many cells are finished, failed, partial or not started (and the
    /// Slurm job's tasks in squeue), then exit.
    #[arg(long, conflicts_with_all = ["slurm", "cell"])]
    pub status: bool,
    /// Run only the cell at this index (what each Slurm array task runs).
    #[arg(long, conflicts_with = "slurm")]
    pub cell: Option<usize>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    /// The experiment config.
    pub config: PathBuf,
    /// What must hold at the final generation: METRIC OP VALUE, OP one of <= < >= >,
    /// VALUE a number or a linear form of gen0, the metric at generation 0 of the same
    /// replicate (e.g. "holdout_cross_entropy <= 1.02 * gen0").
    #[arg(long)]
    pub target: String,
    /// The config key to vary, dotted as in sweeps (regime.fresh, sampling.bias,
    /// arm.recipe.regime.fresh).
    #[arg(long)]
    pub vary: String,
    /// Lower end of the range (default 0).
    #[arg(long, allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Upper end of the range (default: the key's value in the config).
    #[arg(long, allow_hyphen_values = true)]
    pub to: Option<String>,
    /// smallest: larger values keep the target too (fresh data); largest: smaller
    /// values do (contamination, bias).
    #[arg(long, value_enum, default_value_t = crate::commands::plan::search::Find::Smallest)]
    pub find: crate::commands::plan::search::Find,
    /// Stop bisecting when the bracket is this narrow (default: 1 for integer ranges,
    /// a hundredth of the range otherwise).
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// The arm the target is judged on (required when the config has several; the
    /// others are not run).
    #[arg(long)]
    pub arm: Option<String>,
    /// Replicates of each value tried (default: the config's).
    #[arg(long)]
    pub replicates: Option<usize>,
    /// Most replicates for a value whose interval straddles the target (default: 4 ×
    /// --replicates).
    #[arg(long)]
    pub max_replicates: Option<usize>,
    /// The plan folder (default: runs/plan-<name>-<UTC time>); a rerun into it reuses
    /// finished cells.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print plan.json (question, probes, answer) on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Svg,
    Png,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenizerKind {
    Word,
    Bpe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmoothingKind {
    /// Interpolated modified Kneser-Ney (configs spell it kneser_ney; both work).
    #[value(alias = "kneser_ney")]
    KneserNey,
    /// Maximum likelihood, no smoothing.
    Mle,
    /// Add-k (Lidstone) with --k.
    #[value(alias = "add_k")]
    AddK,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    Lines,
    Paragraphs,
    Jsonl,
}

/// How a text file is read.
#[derive(Debug, Clone, clap::Args)]
pub struct TextInput {
    /// lines: one document per line; paragraphs: blank-line separated; jsonl: a text
    /// field per line (default: jsonl for .jsonl files, else lines). .gz/.zst work.
    #[arg(long, value_enum)]
    pub format: Option<TextFormat>,
    /// The JSONL text field.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Skip (and count) malformed records instead of failing.
    #[arg(long)]
    pub skip_errors: bool,
}

#[derive(Debug, Subcommand)]
pub enum LmCommand {
    /// Train a tokenizer and a language model on a corpus. The n-gram model's folder
    /// holds tokenizer.json, model.arpa and model.json; the transformer's holds
    /// config.json, model.safetensors, tokenizer.json and genloop.json.
    Train {
        /// The corpus: text (one document per line, or per paragraph with --format
        /// paragraphs) or JSONL; .gz/.zst work.
        corpus: PathBuf,
        /// Which language model to train.
        #[arg(long, value_enum, default_value_t = LmModelKind::Ngram)]
        model: LmModelKind,
        #[command(flatten)]
        transformer: TransformerArgs,
        /// The n-gram order (2 = bigrams).
        #[arg(long, default_value_t = 3)]
        order: usize,
        /// word: words and punctuation; bpe: byte-level BPE (Hugging Face tokenizers).
        #[arg(long, value_enum, default_value_t = TokenizerKind::Word)]
        tokenizer: TokenizerKind,
        /// BPE vocabulary size.
        #[arg(long, default_value_t = 8192)]
        vocab_size: usize,
        /// Lowercase the text before tokenizing.
        #[arg(long)]
        lowercase: bool,
        /// How the n-gram model smooths its counts.
        #[arg(long, value_enum, default_value_t = SmoothingKind::KneserNey)]
        smoothing: SmoothingKind,
        /// Pseudo-count of add-k smoothing.
        #[arg(long, default_value_t = 1.0)]
        k: f64,
        #[command(flatten)]
        input: TextInput,
        /// The model folder to create (must not exist or be empty).
        #[arg(long)]
        out: PathBuf,
    },
    /// Perplexity, cross-entropy (nats per token, end-of-document included), tokens
    /// and out-of-vocabulary tokens of a text under a model.
    Eval {
        /// The model folder (`genloop lm train --out`).
        model: PathBuf,
        /// The text to score (read like the training corpus).
        text: PathBuf,
        #[command(flatten)]
        input: TextInput,
        /// Print the figures as one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// Sample documents, one per line.
    Sample {
        /// The model folder (`genloop lm train --out`).
        model: PathBuf,
        /// How many documents.
        #[arg(short = 'n', long = "count", default_value_t = 10)]
        count: usize,
        /// Softmax temperature (below 1: sharper, above 1: flatter).
        #[arg(long, default_value_t = 1.0)]
        temperature: f64,
        /// Sample among the k likeliest tokens only (0: all).
        #[arg(long, default_value_t = 0)]
        top_k: usize,
        /// Sample within the smallest set of tokens holding this probability (1: all).
        #[arg(long, default_value_t = 1.0)]
        top_p: f64,
        /// Most tokens per document.
        #[arg(long, default_value_t = 200)]
        max_length: usize,
        /// Seed of the sampling stream.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print one JSON document: the settings and the samples.
        #[arg(long)]
        json: bool,
    },
    /// Write the model as an ARPA file (readable by KenLM and SRILM).
    Export {
        /// The model folder (`genloop lm train --out`).
        model: PathBuf,
        /// The ARPA file to write (never an existing file, unless --force).
        #[arg(long)]
        arpa: PathBuf,
        /// Replace an existing --arpa file.
        #[arg(long)]
        force: bool,
    },
}

/// The language models `genloop lm train` fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LmModelKind {
    Ngram,
    Transformer,
}

/// `genloop lm train --model transformer`'s settings (ignored by the n-gram model).
#[derive(Debug, Clone, clap::Args)]
pub struct TransformerArgs {
    /// Transformer blocks.
    #[arg(long, default_value_t = 2)]
    pub layers: usize,
    /// Attention heads per block (must divide --d-model).
    #[arg(long, default_value_t = 4)]
    pub heads: usize,
    /// Width of the residual stream.
    #[arg(long, default_value_t = 64)]
    pub d_model: usize,
    /// Tokens per training window (the model's n_positions).
    #[arg(long, default_value_t = 64)]
    pub context: usize,
    /// Windows per optimiser step.
    #[arg(long, default_value_t = 8)]
    pub batch_size: usize,
    /// Optimiser steps.
    #[arg(long, default_value_t = 500)]
    pub steps: usize,
    /// Peak AdamW learning rate.
    #[arg(long, default_value_t = 3e-3)]
    pub learning_rate: f32,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Seed of the initialisation and of the training windows.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the training report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
}

/// The filter set `genloop curate` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CurateProfile {
    /// Web documents: Gopher quality and repetition, C4, FineWeb, exact and MinHash
    /// dedup (word 5-gram shingles).
    Web,
    /// Posts: the short-form rules, exact and MinHash dedup (3-word shingles for
    /// short texts).
    Short,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CurateArgs {
    /// JSONL corpus (.gz/.zst work); every field of a kept record is written back.
    pub input: PathBuf,
    /// The filter set: web (web documents) or short (posts).
    #[arg(long, value_enum, default_value_t = CurateProfile::Web)]
    pub profile: CurateProfile,
    /// A TOML file with `[[filters]]` tables to use instead of the profile.
    #[arg(long)]
    pub filters: Option<PathBuf>,
    /// Kept records (JSONL).
    #[arg(long)]
    pub out: PathBuf,
    /// Dropped records, each with a `curation` field naming the filter and reason.
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// The JSONL text field.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Print the statistics as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// A Mastodon account archive (zip or tar.gz with outbox.json and actor.json) →
    /// JSONL with id, text, created, source, metadata. Only public posts of a
    /// consenting author come out.
    Mastodon {
        /// The archive Mastodon exports (Settings → Import and export → Request your
        /// archive).
        archive: PathBuf,
        /// The JSONL corpus to write (never overwritten).
        #[arg(long)]
        out: PathBuf,
        /// Also ingest unlisted posts (public but kept off timelines).
        #[arg(long)]
        include_unlisted: bool,
        /// Join self-reply threads of the author into one document.
        #[arg(long)]
        join_threads: bool,
        /// Append the ids of deleted posts to this ledger (JSONL).
        #[arg(long)]
        ledger: Option<PathBuf>,
        /// A file holding the secret key (at least 16 bytes) of the author
        /// pseudonyms, HMAC-SHA256 of the actor URL; else the environment variable
        /// GENLOOP_PSEUDONYM_KEY. Without a key, pseudonyms are plain SHA-256 that
        /// anyone can recompute from the public actor URL.
        #[arg(long, value_name = "FILE")]
        pseudonym_key: Option<PathBuf>,
        /// Replace post ids by keyed pseudonyms and drop web addresses: both carry
        /// the author's handle.
        #[arg(long)]
        anonymize: bool,
        /// Print the statistics as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every command says what it is for in `--help`.
    #[test]
    fn every_argument_has_help_text() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in command.get_subcommands() {
                if sub.get_about().is_none() && sub.get_name() != "help" {
                    missing.push(format!("{path} {} (the command)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "genloop", &mut missing);
        assert!(missing.is_empty(), "without help text: {missing:#?}");
    }
}
