//! Writing rendered files into a directory, safely.
//!
//! - Atomic: every file is first written under a temporary name beside its
//!   final one; only when all of them are written is each renamed into
//!   place, the manifest last. A directory that does not exist yet is
//!   written whole under a hidden name beside it and renamed into place
//!   once. A write that fails halfway leaves the output directory as it
//!   was (or absent).
//! - Not flushed file by file: rendered files are reproduced from their
//!   plan at any time, and flushing each one cost most of a fleet's render
//!   (as for `cdk8s synth`, `helm template` and `kustomize build`, the
//!   kernel writes them back). A file that a power loss leaves empty no
//!   longer matches its hash in the manifest, so the next render stops and
//!   names it instead of trusting it (`--force` writes it again).
//! - Unchanged files are left alone: a file whose rendered contents equal
//!   what pgplan wrote before (and still on disk) is not rewritten, so a
//!   re-render touches only what changed and keeps the others' times.
//! - No symlinks followed: a path under the output directory that is (or
//!   passes through) a symbolic link is never written through; renaming
//!   replaces a link itself, never its target.
//! - Only its own files: pgplan keeps a manifest (`.pgplan-render.json`)
//!   of what it wrote, with each file's SHA-256. A file it did not write, or
//!   that changed since, is not overwritten without `force`.
//! - No stale files: files of an earlier render that this one no longer
//!   produces are removed (when unchanged since).
//! - Scripts (`*.sh`) are executable (0755); everything else is 0644.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest as _, Sha256};

/// The manifest of what pgplan wrote into a directory.
pub const MANIFEST: &str = ".pgplan-render.json";

/// Why the files were not (all) written.
#[derive(Debug)]
pub enum WriteError {
    /// Files in the way that pgplan did not write (or that changed since);
    /// nothing was written. Pass `force` to overwrite them.
    Refused(Vec<String>),
    /// The file system failed.
    Io {
        /// What failed.
        message: String,
    },
}

/// What a write did.
#[derive(Debug, Default)]
pub struct Written {
    /// Files written (relative paths).
    pub written: Vec<String>,
    /// Stale files of an earlier render removed.
    pub removed: Vec<String>,
    /// Stale files left because they changed since pgplan wrote them.
    pub kept: Vec<String>,
    /// Files whose rendered contents are what is already there (not
    /// rewritten).
    pub unchanged: Vec<String>,
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn io(what: impl std::fmt::Display, e: std::io::Error) -> WriteError {
    WriteError::Io {
        message: format!("{what}: {e}"),
    }
}

/// True when `path` exists as a symbolic link (not followed).
fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// A relative path made only of normal components (renderers make the
/// names; this keeps a bad one from leaving the directory).
fn checked_relative(name: &str) -> Result<PathBuf, WriteError> {
    let path = PathBuf::from(name);
    if name.is_empty()
        || path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        || name == MANIFEST
    {
        return Err(WriteError::Io {
            message: format!("refusing to write `{name}`: not a plain relative file name"),
        });
    }
    Ok(path)
}

fn read_manifest(dir: &Path) -> Result<BTreeMap<String, String>, WriteError> {
    let path = dir.join(MANIFEST);
    if is_symlink(&path) {
        return Err(WriteError::Refused(vec![format!(
            "{MANIFEST} (a symbolic link)"
        )]));
    }
    match fs::read(&path) {
        Ok(bytes) => Ok(serde_json::from_slice::<Manifest>(&bytes)
            .map(|m| m.files)
            .unwrap_or_default()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(io(path.display(), e)),
    }
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Manifest {
    /// Written by pgplan; do not edit.
    note: String,
    files: BTreeMap<String, String>,
}

/// The state of a path pgplan wants to write.
enum Existing {
    Missing,
    Ours,
    NotOurs(&'static str),
}

fn existing(dir: &Path, rel: &Path, manifest: &BTreeMap<String, String>) -> Existing {
    // Every directory on the way must be a real directory, not a link.
    let mut at = dir.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        at.push(part);
        match fs::symlink_metadata(&at) {
            Err(_) => return Existing::Missing,
            Ok(m) if m.file_type().is_symlink() => {
                return Existing::NotOurs("its directory is a symbolic link");
            }
            Ok(m) if !m.is_dir() => return Existing::NotOurs("its directory is a file"),
            Ok(_) => {}
        }
    }
    let path = dir.join(rel);
    let meta = match fs::symlink_metadata(&path) {
        Err(_) => return Existing::Missing,
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Existing::NotOurs("a symbolic link");
    }
    if !meta.is_file() {
        return Existing::NotOurs("not a regular file");
    }
    let key = rel.to_string_lossy();
    match (manifest.get(key.as_ref()), fs::read(&path)) {
        (Some(hash), Ok(bytes)) if *hash == sha256(&bytes) => Existing::Ours,
        (Some(_), _) => Existing::NotOurs("changed since pgplan wrote it"),
        (None, _) => Existing::NotOurs("not written by pgplan"),
    }
}

/// Creates `dir` (and its parents); true when it did not exist before.
fn make_dir(dir: &Path) -> Result<bool, WriteError> {
    let cannot = |e| io(format!("cannot create {}", dir.display()), e);
    match fs::create_dir(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if fs::symlink_metadata(dir).map_err(cannot)?.is_dir() {
                Ok(false)
            } else {
                // A file, or a link: let create_dir_all say what is wrong
                // (it follows a link to a directory, as before).
                fs::create_dir_all(dir).map_err(cannot)?;
                Ok(false)
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match dir.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => {
                fs::create_dir_all(parent).map_err(cannot)?;
                make_dir(dir)
            }
            _ => Err(cannot(e)),
        },
        Err(e) => Err(cannot(e)),
    }
}

/// Creates the directories of `rel` below `base` (none for a plain file
/// name, which is every file but the `all` target's), noting the ones it
/// made.
fn make_parent(base: &Path, rel: &Path, made: &mut Vec<PathBuf>) -> Result<(), WriteError> {
    let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let mut at = base.to_path_buf();
    for part in parent.components() {
        at.push(part);
        match fs::create_dir(&at) {
            Ok(()) => made.push(at.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(format!("cannot create {}", at.display()), e)),
        }
    }
    Ok(())
}

/// Undoes a write that failed: its temporary files (those not renamed yet)
/// and the directories it made, innermost first.
fn remove_written(temporaries: &[PathBuf], made_dirs: &[PathBuf]) {
    for path in temporaries {
        let _ = fs::remove_file(path);
    }
    for dir in made_dirs.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
}

/// True when the file has the mode pgplan gives it (a hand `chmod` is
/// undone by writing the file again).
fn has_its_mode(dir: &Path, rel: &Path, name: &str) -> bool {
    fs::symlink_metadata(dir.join(rel))
        .is_ok_and(|m| m.permissions().mode() & 0o7777 == mode_of(name))
}

fn mode_of(name: &str) -> u32 {
    if name.ends_with(".sh") { 0o755 } else { 0o644 }
}

/// Writes `files` into `dir`, which does not exist yet: all of them go
/// into a hidden staging directory beside it (`.NAME.pgplan-tmp-PID`),
/// renamed into place once they are written (one rename per directory, not
/// one per file). `None` when `dir` appeared meanwhile: the caller writes
/// into it as into any existing directory.
fn write_fresh(
    dir: &Path,
    files: &BTreeMap<String, String>,
) -> Result<Option<Written>, WriteError> {
    let Some(name) = dir.file_name() else {
        return Ok(None);
    };
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        fs::create_dir_all(parent)
            .map_err(|e| io(format!("cannot create {}", parent.display()), e))?;
    }
    let staging = parent.unwrap_or(Path::new(".")).join(format!(
        ".{}.pgplan-tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let cannot_create = |e| io(format!("cannot create {}", staging.display()), e);
    if let Err(e) = fs::create_dir(&staging) {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            return Err(cannot_create(e));
        }
        // A leftover of an interrupted render by a process with this id
        // (links in it are removed, never followed).
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir(&staging).map_err(cannot_create)?;
    }
    let written = (|| {
        let mut hashes = BTreeMap::new();
        for (name, contents) in files {
            let rel = checked_relative(name)?;
            make_parent(&staging, &rel, &mut Vec::new())?;
            let path = staging.join(&rel);
            create_file(&path, contents.as_bytes(), mode_of(name))
                .map_err(|e| io(format!("cannot write {}", dir.join(&rel).display()), e))?;
            hashes.insert(name.clone(), sha256(contents.as_bytes()));
        }
        write_manifest(&staging.join(MANIFEST), hashes)
    })();
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if let Err(e) = fs::rename(&staging, dir) {
        let _ = fs::remove_dir_all(&staging);
        if fs::symlink_metadata(dir).is_ok() {
            return Ok(None);
        }
        return Err(io(format!("cannot create {}", dir.display()), e));
    }
    Ok(Some(Written {
        written: files.keys().cloned().collect(),
        ..Written::default()
    }))
}

/// Writes the manifest (`hashes`: relative name → SHA-256) to `path`, a
/// name nothing else uses.
fn write_manifest(path: &Path, hashes: BTreeMap<String, String>) -> Result<(), WriteError> {
    let manifest = Manifest {
        note: MANIFEST_NOTE.into(),
        files: hashes,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| WriteError::Io {
        message: format!("cannot write the manifest: {e}"),
    })?;
    create_file(path, text.as_bytes(), 0o644)
        .map_err(|e| io(format!("cannot write {}", path.display()), e))
}

/// Creates `path`, which must not exist yet (a link there is not
/// followed), with `mode`, and writes `contents` into it.
fn create_file(path: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    f.write_all(contents)?;
    // The umask may have taken mode bits away: set them on the open file
    // (no second path lookup).
    f.set_permissions(fs::Permissions::from_mode(mode))
}

const MANIFEST_NOTE: &str =
    "files pgplan render wrote here, with their SHA-256; pgplan overwrites and removes only these";

/// Writes `files` (relative name → contents) into `dir` as the module docs
/// say.
///
/// # Errors
///
/// [`WriteError::Refused`] with every file in the way (nothing written);
/// [`WriteError::Io`] when the file system fails.
pub fn write_files(
    dir: &Path,
    files: &BTreeMap<String, String>,
    force: bool,
) -> Result<Written, WriteError> {
    if fs::symlink_metadata(dir).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        && let Some(written) = write_fresh(dir, files)?
    {
        return Ok(written);
    }
    // A directory made here is empty: nothing in it to check.
    let fresh = make_dir(dir)?;
    let manifest = if fresh {
        BTreeMap::new()
    } else {
        read_manifest(dir)?
    };
    let mut in_the_way = Vec::new();
    let mut planned = Vec::new();
    let mut hashes = BTreeMap::new();
    let mut unchanged = Vec::new();
    for (name, contents) in files {
        let rel = checked_relative(name)?;
        let hash = sha256(contents.as_bytes());
        hashes.insert(name.clone(), hash.clone());
        if fresh {
            planned.push((name.clone(), rel));
            continue;
        }
        match existing(dir, &rel, &manifest) {
            // On disk as pgplan wrote it (its mode too), and rendered the
            // same again.
            Existing::Ours
                if manifest.get(name) == Some(&hash) && has_its_mode(dir, &rel, name) =>
            {
                unchanged.push(name.clone());
                continue;
            }
            Existing::Missing | Existing::Ours => {}
            Existing::NotOurs(why @ "its directory is a symbolic link") => {
                // Never written through, even with force.
                return Err(WriteError::Refused(vec![format!("{name} ({why})")]));
            }
            Existing::NotOurs(why) if !force => in_the_way.push(format!("{name} ({why})")),
            Existing::NotOurs(_) => {}
        }
        planned.push((name.clone(), rel));
    }
    if !in_the_way.is_empty() {
        return Err(WriteError::Refused(in_the_way));
    }

    // Write every file under a temporary name beside its final one (a
    // rename within a directory is atomic, and no staging directory is made
    // and removed per render: creating and deleting inodes is most of what a
    // fleet's render costs the file system). Any failure here removes what
    // was written and leaves `dir` as it was.
    let temporary = |rel: &Path| {
        let file = rel.file_name().unwrap_or_default().to_string_lossy();
        dir.join(rel)
            .with_file_name(format!(".{file}.pgplan-tmp-{}", std::process::id()))
    };
    let manifest_path = dir.join(MANIFEST);
    let mut made_dirs = Vec::new();
    let mut temporaries: Vec<PathBuf> = Vec::new();
    // Nothing to write when every file is unchanged and the manifest says
    // so already.
    let manifest_unchanged = planned.is_empty() && manifest == hashes;
    let staged = (|| {
        for (name, rel) in &planned {
            make_parent(dir, rel, &mut made_dirs)?;
            let path = temporary(rel);
            let contents = &files[name];
            // A leftover of an interrupted render (a link is removed, never
            // followed).
            if !fresh {
                let _ = fs::remove_file(&path);
            }
            // Ours to remove if anything fails (the name is this
            // process's).
            temporaries.push(path.clone());
            create_file(&path, contents.as_bytes(), mode_of(name))
                .map_err(|e| io(format!("cannot write {}", path.display()), e))?;
        }
        if manifest_unchanged {
            return Ok(());
        }
        let path = temporary(Path::new(MANIFEST));
        if !fresh {
            let _ = fs::remove_file(&path);
        }
        temporaries.push(path.clone());
        write_manifest(&path, hashes.clone())
    })();
    if let Err(e) = staged {
        remove_written(&temporaries, &made_dirs);
        return Err(e);
    }

    // Move into place: each rename replaces a file (or a link itself)
    // atomically; the manifest goes last.
    let mut result = Written {
        unchanged,
        ..Written::default()
    };
    for (name, rel) in &planned {
        let target = dir.join(rel);
        if let Err(e) = fs::rename(temporary(rel), &target) {
            remove_written(&temporaries, &[]);
            return Err(io(
                format!("cannot move {} into place", target.display()),
                e,
            ));
        }
        result.written.push(name.clone());
    }
    if !manifest_unchanged
        && let Err(e) = fs::rename(temporary(Path::new(MANIFEST)), &manifest_path)
    {
        remove_written(&temporaries, &[]);
        return Err(io(format!("cannot write {}", manifest_path.display()), e));
    }

    // Stale files of the earlier render.
    for (name, hash) in &manifest {
        if hashes.contains_key(name) {
            continue;
        }
        let Ok(rel) = checked_relative(name) else {
            continue;
        };
        let path = dir.join(&rel);
        match existing(dir, &rel, &BTreeMap::from([(name.clone(), hash.clone())])) {
            Existing::Ours => {
                if fs::remove_file(&path).is_ok() {
                    result.removed.push(name.clone());
                    // Directories pgplan made and emptied go too.
                    let mut parent = path.parent();
                    while let Some(p) = parent.filter(|p| *p != dir) {
                        if fs::remove_dir(p).is_err() {
                            break;
                        }
                        parent = p.parent();
                    }
                }
            }
            Existing::Missing => {}
            Existing::NotOurs(_) => result.kept.push(name.clone()),
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pgplan-write-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn writes_scripts_executable_and_removes_its_stale_files() {
        let dir = tmp("stale");
        write_files(
            &dir,
            &files(&[("deploy.sh", "#!/bin/sh\n"), ("a.json", "{}")]),
            false,
        )
        .unwrap();
        let mode = fs::metadata(dir.join("deploy.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        let w = write_files(&dir, &files(&[("deploy.sh", "#!/bin/sh\n")]), false).unwrap();
        assert_eq!(w.removed, ["a.json"]);
        assert!(!dir.join("a.json").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_write_that_fails_halfway_leaves_the_directory_as_it_was() {
        let dir = tmp("halfway");
        fs::create_dir_all(&dir).unwrap();
        // `z` is a file, so `z/b.yaml` cannot be written (with force, the
        // check that refuses it up front is passed over): `k8s/a.yaml`,
        // written first, and the `k8s` directory made for it must go.
        fs::write(dir.join("z"), "mine").unwrap();
        let e = write_files(
            &dir,
            &files(&[("k8s/a.yaml", "a: 1\n"), ("z/b.yaml", "b: 2\n")]),
            true,
        )
        .unwrap_err();
        assert!(matches!(e, WriteError::Io { .. }), "{e:?}");
        let mut left: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["z"]);
        assert_eq!(fs::read_to_string(dir.join("z")).unwrap(), "mine");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_new_directory_appears_whole_or_not_at_all() {
        let parent = tmp("fresh");
        let dir = parent.join("svc");
        // `a` is written as a file, so `a/b` cannot be: nothing may be left,
        // neither the directory nor its staging directory beside it.
        let e = write_files(&dir, &files(&[("a", "1"), ("a/b", "2")]), false).unwrap_err();
        assert!(matches!(e, WriteError::Io { .. }), "{e:?}");
        assert!(!dir.exists());
        assert_eq!(fs::read_dir(&parent).unwrap().count(), 0);
        let w = write_files(&dir, &files(&[("a.yaml", "1"), ("k8s/b.sh", "2")]), false).unwrap();
        assert_eq!(w.written, ["a.yaml", "k8s/b.sh"]);
        assert_eq!(fs::read_to_string(dir.join("k8s/b.sh")).unwrap(), "2");
        let mode = fs::metadata(dir.join("k8s/b.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert!(read_manifest(&dir).unwrap().contains_key("k8s/b.sh"));
        let names: Vec<_> = fs::read_dir(&parent)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["svc"]);
        fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn unchanged_files_are_left_alone() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tmp("unchanged");
        let first = files(&[("a.yaml", "1"), ("b.yaml", "2")]);
        write_files(&dir, &first, false).unwrap();
        let inode = |n: &str| fs::metadata(dir.join(n)).unwrap().ino();
        let (a, b, manifest) = (inode("a.yaml"), inode("b.yaml"), inode(MANIFEST));
        // The same again: nothing is written, not even the manifest.
        let w = write_files(&dir, &first, false).unwrap();
        assert!(w.written.is_empty(), "{w:?}");
        assert_eq!(w.unchanged, ["a.yaml", "b.yaml"]);
        assert_eq!(
            (inode("a.yaml"), inode("b.yaml"), inode(MANIFEST)),
            (a, b, manifest)
        );
        // One changed: only it (and the manifest) are replaced.
        let w = write_files(&dir, &files(&[("a.yaml", "1"), ("b.yaml", "3")]), false).unwrap();
        assert_eq!(w.written, ["b.yaml"]);
        assert_eq!(w.unchanged, ["a.yaml"]);
        assert_eq!(inode("a.yaml"), a);
        assert_ne!(inode("b.yaml"), b);
        assert_eq!(fs::read_to_string(dir.join("b.yaml")).unwrap(), "3");
        // A script made non-executable by hand is written again.
        write_files(
            &dir,
            &files(&[("a.yaml", "1"), ("b.yaml", "3"), ("c.sh", "x")]),
            false,
        )
        .unwrap();
        fs::set_permissions(dir.join("c.sh"), fs::Permissions::from_mode(0o644)).unwrap();
        let w = write_files(
            &dir,
            &files(&[("a.yaml", "1"), ("b.yaml", "3"), ("c.sh", "x")]),
            false,
        )
        .unwrap();
        assert_eq!(w.written, ["c.sh"]);
        let mode = fs::metadata(dir.join("c.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        // Changed by hand since: not ours any more, refused as before.
        fs::write(dir.join("a.yaml"), "mine").unwrap();
        let e = write_files(&dir, &files(&[("a.yaml", "1"), ("b.yaml", "3")]), false).unwrap_err();
        assert!(matches!(e, WriteError::Refused(_)), "{e:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn never_overwrites_what_it_did_not_write_or_follows_a_link() {
        let dir = tmp("links");
        fs::create_dir_all(&dir).unwrap();
        let victim = dir.join("victim");
        fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("init.sql")).unwrap();
        fs::write(dir.join("settings.sql"), "mine").unwrap();
        let e = write_files(
            &dir,
            &files(&[("init.sql", "x"), ("settings.sql", "y")]),
            false,
        )
        .unwrap_err();
        match e {
            WriteError::Refused(list) => assert_eq!(list.len(), 2, "{list:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(
            fs::read_to_string(dir.join("settings.sql")).unwrap(),
            "mine"
        );
        // With force the link itself is replaced; its target is untouched.
        write_files(
            &dir,
            &files(&[("init.sql", "x"), ("settings.sql", "y")]),
            true,
        )
        .unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!is_symlink(&dir.join("init.sql")));
        assert_eq!(fs::read_to_string(dir.join("init.sql")).unwrap(), "x");
        fs::remove_dir_all(&dir).unwrap();
    }
}
