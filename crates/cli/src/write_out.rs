//! Writing rendered files into a directory, safely.
//!
//! - Atomic: every file is first written (and flushed) under a temporary
//!   name beside its final one; only when all of them are written is each
//!   renamed into place, the manifest last. A write that fails halfway
//!   leaves the output directory as it was.
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

fn mode_of(name: &str) -> u32 {
    if name.ends_with(".sh") { 0o755 } else { 0o644 }
}

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
    // A directory made here is empty: nothing in it to check.
    let fresh = make_dir(dir)?;
    let manifest = if fresh {
        BTreeMap::new()
    } else {
        read_manifest(dir)?
    };
    let mut in_the_way = Vec::new();
    let mut planned = Vec::new();
    for name in files.keys() {
        let rel = checked_relative(name)?;
        if fresh {
            planned.push((name.clone(), rel));
            continue;
        }
        match existing(dir, &rel, &manifest) {
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
    let staged = (|| {
        let mut hashes = BTreeMap::new();
        for (name, rel) in &planned {
            make_parent(dir, rel, &mut made_dirs)?;
            let path = temporary(rel);
            let contents = &files[name];
            // A leftover of an interrupted render (a link is removed, never
            // followed).
            let _ = fs::remove_file(&path);
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode_of(name))
                .open(&path)
                .map_err(|e| io(format!("cannot write {}", path.display()), e))?;
            temporaries.push(path.clone());
            // The umask may have taken mode bits away: set them on the open
            // file (no second path lookup).
            f.write_all(contents.as_bytes())
                .and_then(|()| f.set_permissions(fs::Permissions::from_mode(mode_of(name))))
                .and_then(|()| f.sync_all())
                .map_err(|e| io(format!("cannot write {}", path.display()), e))?;
            hashes.insert(name.clone(), sha256(contents.as_bytes()));
        }
        let manifest = Manifest {
            note: "files pgplan render wrote here, with their SHA-256; pgplan overwrites and removes only these".into(),
            files: hashes.clone(),
        };
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| WriteError::Io {
            message: format!("cannot write the manifest: {e}"),
        })?;
        let path = temporary(Path::new(MANIFEST));
        let _ = fs::remove_file(&path);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&path)
            .map_err(|e| io(format!("cannot write {}", path.display()), e))?;
        temporaries.push(path.clone());
        f.write_all(text.as_bytes())
            .map_err(|e| io(format!("cannot write {}", path.display()), e))?;
        Ok(hashes)
    })();
    let hashes = match staged {
        Ok(h) => h,
        Err(e) => {
            remove_written(&temporaries, &made_dirs);
            return Err(e);
        }
    };

    // Move into place: each rename replaces a file (or a link itself)
    // atomically; the manifest goes last.
    let mut result = Written::default();
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
    if let Err(e) = fs::rename(temporary(Path::new(MANIFEST)), &manifest_path) {
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
