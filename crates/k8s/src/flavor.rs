//! The two image families pgplan knows: `bitnami/postgresql` (seed 000's) and
//! the official `postgres` image, whose entrypoint conventions (the
//! `POSTGRES_*` variables, `docker-entrypoint.sh`) other images follow too.
//! They keep data, configuration and scratch files in different places.

use pgplan_core::ContainerImage;

/// An image family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `bitnami/postgresql`: configured by `POSTGRESQL_*` variables, copies a
    /// mounted postgresql.conf and pg_hba.conf into place on start, and sets
    /// up streaming replicas itself (`POSTGRESQL_REPLICATION_MODE`).
    Bitnami,
    /// The official image and images built like it: configured by
    /// `POSTGRES_*` variables, reads the config files named by `-c
    /// config_file=…`/`-c hba_file=…`; replicas are cloned by an init
    /// container with `pg_basebackup --write-recovery-conf`.
    Official,
}

impl Flavor {
    /// The family of an image, from its repository name.
    pub fn of(image: &ContainerImage) -> Flavor {
        let repo = image.repository();
        let last_two: Vec<&str> = repo.rsplit('/').take(2).collect();
        if last_two.len() == 2 && last_two[0] == "postgresql" && last_two[1].starts_with("bitnami")
        {
            Flavor::Bitnami
        } else {
            Flavor::Official
        }
    }

    /// Where the data volume is mounted.
    pub fn data_mount(self) -> &'static str {
        match self {
            Flavor::Bitnami => "/bitnami/postgresql",
            Flavor::Official => "/var/lib/postgresql/data",
        }
    }

    /// PGDATA: a directory below the mount, so the volume's own entries
    /// (`lost+found`) never make initdb refuse it.
    pub fn pgdata(self) -> &'static str {
        match self {
            Flavor::Bitnami => "/bitnami/postgresql/data",
            Flavor::Official => "/var/lib/postgresql/data/pgdata",
        }
    }

    /// Where the configuration ConfigMap is mounted.
    pub fn config_mount(self) -> &'static str {
        match self {
            // The image copies postgresql.conf and pg_hba.conf from here.
            Flavor::Bitnami => "/bitnami/postgresql/conf",
            Flavor::Official => "/etc/postgresql",
        }
    }

    /// Where the WAL volume is mounted, and the WAL directory on it.
    pub fn wal(self) -> (&'static str, &'static str) {
        match self {
            Flavor::Bitnami => ("/bitnami/wal", "/bitnami/wal/pg_wal"),
            Flavor::Official => ("/var/lib/postgresql/wal", "/var/lib/postgresql/wal/pg_wal"),
        }
    }

    /// The variable naming the WAL directory for initdb.
    pub fn waldir_env(self) -> &'static str {
        match self {
            Flavor::Bitnami => "POSTGRESQL_INITDB_WAL_DIR",
            Flavor::Official => "POSTGRES_INITDB_WALDIR",
        }
    }

    /// The variable naming the superuser's password file.
    pub fn password_file_env(self) -> &'static str {
        match self {
            Flavor::Bitnami => "POSTGRESQL_PASSWORD_FILE",
            Flavor::Official => "POSTGRES_PASSWORD_FILE",
        }
    }

    /// Directories the image writes to outside the data volume (each a
    /// sub-directory of one scratch volume): the root filesystem is read-only.
    pub fn scratch(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Flavor::Bitnami => &[
                ("tmp", "/tmp"),
                ("app-conf", "/opt/bitnami/postgresql/conf"),
                ("app-tmp", "/opt/bitnami/postgresql/tmp"),
                ("app-logs", "/opt/bitnami/postgresql/logs"),
            ],
            Flavor::Official => &[("tmp", "/tmp"), ("run", "/var/run/postgresql")],
        }
    }

    /// True when the image sets the superuser password over the Unix socket
    /// before any password exists, so that socket must trust the superuser.
    pub fn needs_local_trust(self) -> bool {
        matches!(self, Flavor::Bitnami)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        let f = |s: &str| Flavor::of(&s.parse().unwrap());
        assert_eq!(f("bitnami/postgresql:14.18.0"), Flavor::Bitnami);
        assert_eq!(f("docker.io/bitnami/postgresql:17"), Flavor::Bitnami);
        assert_eq!(
            f("registry.example.com/bitnamilegacy/postgresql:16"),
            Flavor::Bitnami
        );
        assert_eq!(f("postgres:17.2"), Flavor::Official);
        assert_eq!(f("docker.io/library/postgres:16.4"), Flavor::Official);
        assert_eq!(f("bitnami/postgresql-repmgr:16"), Flavor::Official);
    }
}
