//! `genloop sweep`: expand a sweep file into checked cells, write the cell list into
//! the sweep folder, then run the cells here ([`local`]) or as a Slurm job array
//! ([`slurm`]); `--cell INDEX` runs one cell (what an array task does), `--status`
//! says where a sweep stands. The folder layout is [`folder`]'s.

pub mod folder;
pub mod local;
pub mod report;
pub mod slurm;

use std::io::Write;
use std::path::Path;

use genloop_config::sweep::{Cell, Sweep};

use crate::args::SweepArgs;
use crate::files::write_atomic;
use crate::UsageError;
use folder::{state, CellRecord, CellState, SweepRecord};

pub fn execute(args: &SweepArgs) -> anyhow::Result<()> {
    if args.threads == Some(0) || args.cpus == 0 || args.throttle == Some(0) {
        return Err(
            UsageError("--threads, --cpus and --throttle must be at least 1".into()).into(),
        );
    }
    if args.status {
        return status(&args.out);
    }
    let text = std::fs::read_to_string(&args.sweep).map_err(|e| {
        UsageError(format!(
            "cannot read sweep file {}: {e}",
            args.sweep.display()
        ))
    })?;
    let sweep = Sweep::parse(&text, &args.sweep)?;
    if let Some(index) = args.cell {
        return run_one(args, &sweep, index);
    }
    let cells = sweep.cells()?;
    let keys = sweep.dimensions.iter().map(|(k, _)| k.clone()).collect();
    folder::record(&args.out, &text, &SweepRecord::new(keys, &cells)?)?;
    if args.slurm {
        return submit(args, &sweep, &cells);
    }
    let threads = crate::threads::resolve(args.threads);
    let _lock = crate::files::FolderLock::claim(&args.out)?;
    crate::interrupt::on_interrupt(format!(
        "interrupted: `genloop sweep {} --out {}` continues the sweep; finished cells are skipped and a partial cell resumes from its last finished chunk",
        args.sweep.display(),
        args.out.display()
    ));
    local::run_all(&args.out, &sweep, &cells, threads)?;
    eprintln!(
        "sweep finished: {} cells in {}; `genloop collect {}` merges them",
        cells.len(),
        args.out.display(),
        args.out.display()
    );
    Ok(())
}

/// `--cell INDEX`: run one cell of a sweep whose cell list is already written.
fn run_one(args: &SweepArgs, sweep: &Sweep, index: usize) -> anyhow::Result<()> {
    let record = folder::read(&args.out)?;
    let Some(listed) = record.cells.get(index) else {
        return Err(UsageError(format!(
            "{} lists {} cells: there is no cell {index}",
            args.out.display(),
            record.cells.len()
        ))
        .into());
    };
    let cell = sweep.cell(index)?;
    if &CellRecord::new(&cell)? != listed {
        return Err(UsageError(format!(
            "{}: {cell} is not the cell {} lists ({}); the sweep file or its base config changed since",
            sweep.path,
            args.out.display(),
            listed.label()
        ))
        .into());
    }
    let threads = args.threads.unwrap_or(1);
    crate::interrupt::on_interrupt(format!(
        "interrupted: {cell} keeps its finished chunks; `genloop sweep {} --out {} --cell {index}` (or a requeue) continues it",
        args.sweep.display(),
        args.out.display()
    ));
    if !local::run_cell(&args.out, sweep, &cell, threads)? {
        eprintln!("{cell} was already finished");
    }
    Ok(())
}

/// `--slurm`: write the job array script over the unfinished cells and submit it.
fn submit(args: &SweepArgs, sweep: &Sweep, cells: &[Cell]) -> anyhow::Result<()> {
    let indices: Vec<usize> = cells
        .iter()
        .filter(|c| state(&args.out, &c.id) != CellState::Done)
        .map(|c| c.index)
        .collect();
    if indices.is_empty() {
        eprintln!(
            "every cell is finished; `genloop collect {}` merges them",
            args.out.display()
        );
        return Ok(());
    }
    let dir = std::path::absolute(&args.out)?;
    let sweep_path = std::path::absolute(&args.sweep)?;
    let binary = std::env::current_exe()?;
    let name = sweep
        .base
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("sweep");
    let script = slurm::script(&slurm::ArrayJob {
        name: &format!("genloop-{}", genloop_report::file_safe(name)),
        binary: &binary,
        sweep: &sweep_path,
        dir: &dir,
        indices: &indices,
        cpus: args.cpus,
        partition: args.partition.as_deref(),
        time: args.time.as_deref(),
        throttle: args.throttle,
    });
    let path = dir.join("slurm").join("sweep.sbatch");
    write_atomic(&path, script.as_bytes())?;
    std::fs::create_dir_all(dir.join("slurm").join("logs"))?;
    if args.no_submit {
        eprintln!(
            "wrote {} ({} array tasks); submit it with sbatch",
            path.display(),
            indices.len()
        );
        return Ok(());
    }
    let job = slurm::submit(&path)?;
    write_atomic(&slurm::job_file(&dir), job.as_bytes())?;
    println!("{job}");
    eprintln!(
        "submitted job {job}: {} array tasks; `genloop sweep {} --out {} --status` shows where it is",
        indices.len(),
        args.sweep.display(),
        args.out.display()
    );
    Ok(())
}

/// `--status`: the cells' markers, and the Slurm job's tasks still queued.
fn status(dir: &Path) -> anyhow::Result<()> {
    let record = folder::read(dir)?;
    let mut counts = [0usize; 4];
    let mut failed = Vec::new();
    for cell in &record.cells {
        match state(dir, &cell.id) {
            CellState::Done => counts[0] += 1,
            CellState::Failed(error) => {
                counts[1] += 1;
                failed.push(format!(
                    "failed: {}: {}",
                    cell.label(),
                    error.lines().next().unwrap_or("")
                ));
            }
            CellState::Partial => counts[2] += 1,
            CellState::NotStarted => counts[3] += 1,
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} cells: {} finished, {} failed, {} partial, {} not started",
        record.cells.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    )?;
    for line in failed {
        writeln!(out, "{line}")?;
    }
    if let Ok(job) = std::fs::read_to_string(slurm::job_file(dir)) {
        match slurm::queued(job.trim()) {
            Some(tasks) => writeln!(
                out,
                "slurm job {}: {} tasks in the queue",
                job.trim(),
                tasks.len()
            )?,
            None => writeln!(out, "slurm job {}: squeue cannot be run here", job.trim())?,
        }
    }
    Ok(())
}
