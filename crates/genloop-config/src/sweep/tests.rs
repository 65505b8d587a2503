use super::*;

/// Inline tables only, so that the sweep keys can follow it.
const BASE: &str = r#"
name = "tiny"
generations = 2
replicates = 2
source = { kind = "gaussian" }
data = { original = 20 }
model = { kind = "gaussian" }
regime = { kind = "replace" }
"#;

fn sweep(grid: &str) -> Result<Sweep, SweepError> {
    Sweep::parse(&format!("{BASE}\n{grid}"), Path::new("dir/sweep.toml"))
}

#[test]
fn expands_every_combination_last_dimension_fastest() {
    let s = sweep("seeds = [1, 2]\n[grid]\n\"sampling.bias\" = [1.0, 0.9]\n\"regime.kind\" = [\"replace\", \"accumulate\"]").unwrap();
    let cells = s.cells().unwrap();
    assert_eq!(cells.len(), 8);
    let keys: Vec<&str> = cells[0].params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["regime.kind", "sampling.bias", "seed"]);
    assert_eq!(
        cells[0].label(),
        "regime.kind = \"replace\", sampling.bias = 1.0, seed = 1"
    );
    assert_eq!(
        cells[1].label(),
        "regime.kind = \"replace\", sampling.bias = 1.0, seed = 2"
    );
    assert_eq!(
        cells[2].label(),
        "regime.kind = \"replace\", sampling.bias = 0.9, seed = 1"
    );
    assert_eq!(
        cells[7].label(),
        "regime.kind = \"accumulate\", sampling.bias = 0.9, seed = 2"
    );
    let mut ids: Vec<&str> = cells.iter().map(|c| c.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "every cell has its own id");
    // The cell's config is the base with its keys set.
    let config: Table = cells[7].config.parse().unwrap();
    assert_eq!(config["regime"]["kind"].as_str(), Some("accumulate"));
    assert_eq!(config["sampling"]["bias"].as_float(), Some(0.9));
    assert_eq!(config["seed"].as_integer(), Some(2));
    assert_eq!(config["name"].as_str(), Some("tiny"));
}

#[test]
fn ids_are_stable_across_runs_and_key_order() {
    let a = sweep(
        "[grid]\n\"sampling.bias\" = [1.0, 0.9]\n\"regime.kind\" = [\"replace\", \"accumulate\"]",
    )
    .unwrap();
    let b = sweep(
        "[grid.regime]\nkind = [\"replace\", \"accumulate\"]\n[grid.sampling]\nbias = [1.0, 0.9]",
    )
    .unwrap();
    assert_eq!(a.cells().unwrap(), b.cells().unwrap());
    // Pinned: an id never changes between versions for the same parameters.
    let params = vec![
        ("regime.kind".to_string(), Value::String("replace".into())),
        ("seed".to_string(), Value::Integer(1)),
    ];
    let reversed: Vec<_> = params.iter().rev().cloned().collect();
    assert_eq!(cell_id(&params), cell_id(&reversed));
    assert_eq!(cell_id(&params), "c0f9deb03a43beab2");
}

#[test]
fn no_grid_is_one_cell_the_base() {
    let cells = sweep("").unwrap().cells().unwrap();
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0].label(), "the base config");
}

#[test]
fn a_bad_cell_names_its_key_and_value() {
    let s = sweep("[grid]\n\"regime.kind\" = [\"replace\", \"bogus\"]").unwrap();
    let e = s.cells().unwrap_err().to_string();
    assert!(e.starts_with("1 of 2 cells are not valid configs"), "{e}");
    assert!(e.contains("cell 1"), "{e}");
    assert!(e.contains("regime.kind = \"bogus\""), "{e}");
    let s = sweep("[grid]\n\"arm.3.regime.kind\" = [\"replace\"]").unwrap();
    let e = s.cells().unwrap_err().to_string();
    assert!(e.contains("cannot set `arm.3.regime.kind`"), "{e}");
}

#[test]
fn spec_mistakes_are_named() {
    let e = |grid: &str| sweep(grid).unwrap_err().to_string();
    assert!(e("[grid]\n\"regime.kind\" = \"replace\"").contains("give a list of values"));
    assert!(e("[grid]\n\"regime.kind\" = []").contains("at least one value"));
    assert!(e("[grid]\n\"sampling.bias\" = [0.5, 0.5]").contains("lists 0.5 twice"));
    assert!(e("seeds = [1, \"x\"]").contains("seeds are integers"));
    assert!(e("seeds = [1]\n[grid]\nseed = [2]").contains("keep one"));
    let e = Sweep::parse("base = \"c.toml\"\nname = \"x\"", Path::new("s.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("move name into the base config"), "{e}");
}

#[test]
fn a_base_file_is_read_beside_the_sweep() {
    let dir = std::env::temp_dir().join(format!("genloop-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("base.toml"), BASE).unwrap();
    let text = "base = \"base.toml\"\nseeds = [3]";
    std::fs::write(dir.join("sweep.toml"), text).unwrap();
    let s = Sweep::load(&dir.join("sweep.toml")).unwrap();
    assert_eq!(s.base_dir, dir);
    let inline = sweep("seeds = [3]").unwrap();
    assert_eq!(s.cells().unwrap(), inline.cells().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_example_sweep_expands_into_valid_cells() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/sweeps/fresh-share.toml");
    let cells = Sweep::load(&path).unwrap().cells().unwrap();
    assert_eq!(cells.len(), 8);
    let config: Table = cells[7].config.parse().unwrap();
    assert_eq!(config["arm"][2]["sampling"]["bias"].as_float(), Some(0.9));
}
