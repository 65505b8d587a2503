//! Slurm job arrays: one array task per unfinished cell, each running
//! `genloop sweep SWEEP --out DIR --cell INDEX` into the cell's own folder. A requeued
//! task resumes its cell from the store's finished chunks. With accounting off
//! `sacct` does not work, so status comes from `squeue` and the cells' markers.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::UsageError;

/// An array job as the sbatch script declares it. Paths are absolute: the tasks run
/// on other nodes, in another working folder.
pub struct ArrayJob<'a> {
    pub name: &'a str,
    pub binary: &'a Path,
    pub sweep: &'a Path,
    pub dir: &'a Path,
    /// Cell indices to run: the array.
    pub indices: &'a [usize],
    pub cpus: usize,
    pub partition: Option<&'a str>,
    pub time: Option<&'a str>,
    /// At most this many tasks at once.
    pub throttle: Option<usize>,
}

/// `0-3,5,7-9%4`: runs of consecutive indices as ranges, then the throttle.
pub fn array_spec(indices: &[usize], throttle: Option<usize>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let mut j = i;
        while j + 1 < indices.len() && indices[j + 1] == indices[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            indices[i].to_string()
        } else {
            format!("{}-{}", indices[i], indices[j])
        });
        i = j + 1;
    }
    let throttle = throttle.map(|t| format!("%{t}")).unwrap_or_default();
    format!("{}{throttle}", parts.join(","))
}

/// `'text'` for the shell.
fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// The sbatch script: output and error files per task, requeue allowed (a requeued
/// task appends to its logs and resumes its cell).
pub fn script(job: &ArrayJob<'_>) -> String {
    let logs = job.dir.join("slurm").join("logs");
    let mut lines = vec![
        "#!/bin/bash".to_string(),
        format!("#SBATCH --job-name={}", job.name),
        format!("#SBATCH --array={}", array_spec(job.indices, job.throttle)),
        format!("#SBATCH --cpus-per-task={}", job.cpus),
        format!("#SBATCH --output={}/%a.out", logs.display()),
        format!("#SBATCH --error={}/%a.err", logs.display()),
        "#SBATCH --requeue".to_string(),
        "#SBATCH --open-mode=append".to_string(),
    ];
    if let Some(partition) = job.partition {
        lines.push(format!("#SBATCH --partition={partition}"));
    }
    if let Some(time) = job.time {
        lines.push(format!("#SBATCH --time={time}"));
    }
    lines.push("set -euo pipefail".into());
    lines.push(format!(
        "exec {} sweep {} --out {} --cell \"$SLURM_ARRAY_TASK_ID\" --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\"",
        quote(job.binary),
        quote(job.sweep),
        quote(job.dir),
        job.cpus
    ));
    lines.join("\n") + "\n"
}

/// Submit `script` with `sbatch --parsable`; the job id.
pub fn submit(script: &Path) -> anyhow::Result<String> {
    let output = Command::new("sbatch")
        .arg("--parsable")
        .arg(script)
        .output()
        .map_err(|e| {
            UsageError(format!(
                "cannot run sbatch ({e}): is this a Slurm login node? The script is {}; --no-submit writes it without submitting",
                script.display()
            ))
        })?;
    if !output.status.success() {
        anyhow::bail!(
            "sbatch refused {}: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    // --parsable prints `id` or `id;cluster`.
    Ok(text
        .trim()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string())
}

/// The job's tasks still in the queue and their states (`squeue` of a finished job
/// lists nothing); None when squeue cannot be run.
pub fn queued(job_id: &str) -> Option<Vec<(String, String)>> {
    let output = Command::new("squeue")
        .args(["-h", "-r", "-j", job_id, "-o", "%i %T"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    Some(
        text.lines()
            .filter_map(|line| line.split_once(' '))
            .map(|(task, state)| (task.to_string(), state.trim().to_string()))
            .collect(),
    )
}

/// The file that keeps the submitted job's id.
pub fn job_file(dir: &Path) -> PathBuf {
    dir.join("slurm").join("job_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_are_ranges_with_a_throttle() {
        assert_eq!(array_spec(&[0, 1, 2, 3], None), "0-3");
        assert_eq!(
            array_spec(&[0, 1, 2, 3, 5, 7, 8, 9], Some(4)),
            "0-3,5,7-9%4"
        );
        assert_eq!(array_spec(&[4], Some(1)), "4%1");
    }

    #[test]
    fn the_script_runs_one_cell_per_task() {
        let script = script(&ArrayJob {
            name: "genloop-s",
            binary: Path::new("/opt/genloop"),
            sweep: Path::new("/home/me/it's.toml"),
            dir: Path::new("/scratch/s"),
            indices: &[1, 2],
            cpus: 2,
            partition: Some("short"),
            time: None,
            throttle: Some(1),
        });
        assert!(script.starts_with("#!/bin/bash\n"));
        for line in [
            "#SBATCH --array=1-2%1",
            "#SBATCH --cpus-per-task=2",
            "#SBATCH --output=/scratch/s/slurm/logs/%a.out",
            "#SBATCH --error=/scratch/s/slurm/logs/%a.err",
            "#SBATCH --requeue",
            "#SBATCH --partition=short",
            r#"exec '/opt/genloop' sweep '/home/me/it'\''s.toml' --out '/scratch/s' --cell "$SLURM_ARRAY_TASK_ID" --threads "${SLURM_CPUS_PER_TASK:-2}""#,
        ] {
            assert!(script.lines().any(|l| l == line), "{line} in\n{script}");
        }
        assert!(!script.contains("--time"));
    }
}
