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
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Only this arm (default: every arm, one file each).
        #[arg(long)]
        arm: Option<String>,
        /// One output file (every selected arm, told apart by the `arm` column), or - for
        /// stdout. Default: DIR/csv/<arm>.csv, one file per arm.
        #[arg(long)]
        output: Option<PathBuf>,
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
    /// Merge every cell of a sweep folder into DIR/results.sqlite and DIR/results.csv,
    /// the cell's parameters as columns; names missing or failed cells and fails
    /// instead of merging part of a sweep.
    Collect {
        /// The sweep folder (`genloop sweep --out`).
        dir: PathBuf,
    },
    /// Print the per-generation aggregates of a finished run folder.
    Summary {
        dir: PathBuf,
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
    KneserNey,
    Mle,
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
        corpus: PathBuf,
        /// Which language model to train.
        #[arg(long, value_enum, default_value_t = LmModelKind::Ngram)]
        model: LmModelKind,
        #[command(flatten)]
        transformer: TransformerArgs,
        #[arg(long, default_value_t = 3)]
        order: usize,
        #[arg(long, value_enum, default_value_t = TokenizerKind::Word)]
        tokenizer: TokenizerKind,
        /// BPE vocabulary size.
        #[arg(long, default_value_t = 8192)]
        vocab_size: usize,
        #[arg(long)]
        lowercase: bool,
        #[arg(long, value_enum, default_value_t = SmoothingKind::KneserNey)]
        smoothing: SmoothingKind,
        /// Pseudo-count of add-k smoothing.
        #[arg(long, default_value_t = 1.0)]
        k: f64,
        #[command(flatten)]
        input: TextInput,
        #[arg(long)]
        out: PathBuf,
    },
    /// Perplexity, cross-entropy (nats per token, end-of-document included), tokens
    /// and out-of-vocabulary tokens of a text under a model.
    Eval {
        model: PathBuf,
        text: PathBuf,
        #[command(flatten)]
        input: TextInput,
        #[arg(long)]
        json: bool,
    },
    /// Sample documents, one per line.
    Sample {
        model: PathBuf,
        #[arg(short = 'n', long = "count", default_value_t = 10)]
        count: usize,
        #[arg(long, default_value_t = 1.0)]
        temperature: f64,
        #[arg(long, default_value_t = 0)]
        top_k: usize,
        #[arg(long, default_value_t = 1.0)]
        top_p: f64,
        #[arg(long, default_value_t = 200)]
        max_length: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write the model as an ARPA file (readable by KenLM and SRILM).
    Export {
        model: PathBuf,
        #[arg(long)]
        arpa: PathBuf,
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
