//! Command-line arguments (clap). Only parsing lives here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "genloop", version, about = "Run the generational training loop of generative models and measure when they collapse")]
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
    /// Run the built-in demo: a Gaussian under every data policy, with theory.
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
    /// Export a run folder's measurements.
    Export {
        /// The run folder.
        dir: PathBuf,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Only this arm (default: every arm, one file each).
        #[arg(long)]
        arm: Option<String>,
        /// Output file, or - for stdout (needs a single arm). Default: DIR/csv/<arm>.csv.
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
    /// Print the per-generation aggregates of a finished run folder.
    Summary {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Svg,
    Png,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
}
