//! Facts about Azure Database for PostgreSQL Flexible Server that validation
//! and derivation need: SKU capacities, storage sizes, region pairs, defaults
//! and the extension allow-list. Sources are the service documentation and the
//! 2024-08-01 REST specification; each table says which.

use crate::catalog::{ParamSpec, TypedValue, VarType, format_number, parse_bool};
use crate::model::azure_names::{PrivateDnsZone, ResourceGroupName};
use crate::model::locale::{Encoding, Locale};
use crate::model::platform::{Azure, PrivateAccess};
use crate::model::units::Bytes;

/// vCores and memory of a compute SKU, from the SKU's series and size
/// (`Standard_D4s_v3` → 4 vCores, 16 GiB). `None` for names pgplan does not know.
///
/// ```
/// use pgplan_core::azure_facts::sku_capacity;
/// use pgplan_core::Bytes;
/// assert_eq!(sku_capacity("Standard_D4s_v3"), Some((4, Bytes::gib(16))));
/// assert_eq!(sku_capacity("Standard_B1ms"), Some((1, Bytes::gib(2))));
/// assert_eq!(sku_capacity("Standard_E2ds_v5"), Some((2, Bytes::gib(16))));
/// assert_eq!(sku_capacity("Standard_Z9"), None);
/// ```
pub fn sku_capacity(name: &str) -> Option<(u32, Bytes)> {
    if let Some(&(_, v, g)) = BURSTABLE_SKUS.iter().find(|(n, _, _)| *n == name) {
        return Some((v, Bytes::gib(g)));
    }
    let rest = name.strip_prefix("Standard_")?;
    let series = rest.chars().next()?;
    let digits: String = rest[1..].chars().take_while(char::is_ascii_digit).collect();
    let vcores: u32 = digits.parse().ok()?;
    let suffix = &rest[1 + digits.len()..];
    if !SKU_FAMILIES.contains(&suffix) || !SKU_VCORES.contains(&vcores) {
        return None;
    }
    let gib = match series {
        'D' => u64::from(vcores) * 4,
        'E' if vcores == 64 && suffix == "s_v3" => 432,
        'E' if vcores == 96 => 672,
        'E' => u64::from(vcores) * 8,
        _ => return None,
    };
    Some((vcores, Bytes::gib(gib)))
}

/// Burstable (B-series) SKUs: name, vCores, memory in GiB.
const BURSTABLE_SKUS: &[(&str, u32, u64)] = &[
    ("Standard_B1ms", 1, 2),
    ("Standard_B2s", 2, 4),
    ("Standard_B2ms", 2, 8),
    ("Standard_B4ms", 4, 16),
    ("Standard_B8ms", 8, 32),
    ("Standard_B12ms", 12, 48),
    ("Standard_B16ms", 16, 64),
    ("Standard_B20ms", 20, 80),
];

/// Known families of the D and E series: s_v3, ds_v4, ds_v5, ads_v5.
const SKU_FAMILIES: [&str; 4] = ["s_v3", "ds_v4", "ds_v5", "ads_v5"];

/// vCores of the D and E series sizes.
const SKU_VCORES: [u32; 9] = [2, 4, 8, 16, 20, 32, 48, 64, 96];

/// Every SKU name [`sku_capacity`] knows, for the proptest strategies.
#[cfg(feature = "proptest")]
pub(crate) fn known_sku_names() -> impl Iterator<Item = String> {
    let burstable = BURSTABLE_SKUS.iter().map(|(name, _, _)| (*name).to_owned());
    let sized = ['D', 'E'].into_iter().flat_map(|series| {
        SKU_VCORES.into_iter().flat_map(move |vcores| {
            SKU_FAMILIES
                .into_iter()
                .map(move |family| format!("Standard_{series}{vcores}{family}"))
        })
    });
    burstable.chain(sized)
}

/// Premium SSD sizes a Flexible Server accepts (GiB), from concepts-storage.
pub const PREMIUM_SSD_SIZES_GIB: [u64; 11] =
    [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];

/// Premium SSD v2 range (GiB).
pub const PREMIUM_SSD_V2_RANGE_GIB: (u64, u64) = (1, 65536);

/// Backup retention range in days.
pub const BACKUP_RETENTION_DAYS: (u16, u16) = (7, 35);

/// Most read replicas per primary.
pub const MAX_READ_REPLICAS: usize = 5;

/// Connection slots Azure reserves (`reserved_connections` 5 +
/// `superuser_reserved_connections` 10, both read-only).
pub const RESERVED_CONNECTIONS: u32 = 15;

/// `max_connections` allowed range.
pub const MAX_CONNECTIONS_RANGE: (u32, u32) = (25, 5000);

/// `shared_buffers` share of memory Azure allows, in percent.
pub const SHARED_BUFFERS_PERCENT_RANGE: (u32, u32) = (10, 75);

/// Ranges Azure accepts for parameters where they are narrower than
/// PostgreSQL's, in the parameter's own unit (kB for these): `work_mem`
/// 4096–2097151, `maintenance_work_mem` 1024–2097151, `autovacuum_work_mem`
/// -1–2097151 (server-parameters-table-resource-usage-memory).
/// `max_connections` ([`MAX_CONNECTIONS_RANGE`]) is not clamped when derived:
/// a demand above it is an error that names the clients (PGP164).
pub const PARAMETER_RANGES: &[(&str, f64, f64)] = &[
    ("work_mem", 4096.0, 2_097_151.0),
    ("maintenance_work_mem", 1024.0, 2_097_151.0),
    ("autovacuum_work_mem", -1.0, 2_097_151.0),
];

/// The range Azure accepts for a parameter, when narrower than PostgreSQL's.
///
/// ```
/// use pgplan_core::azure_facts::parameter_range;
/// assert_eq!(parameter_range("maintenance_work_mem"), Some((1024.0, 2_097_151.0)));
/// assert_eq!(parameter_range("shared_buffers"), None); // a share of memory instead
/// ```
pub fn parameter_range(name: &str) -> Option<(f64, f64)> {
    PARAMETER_RANGES
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, lo, hi)| (*lo, *hi))
}

/// Major versions a new server can run (concepts-supported-versions, 07/2025).
pub const SUPPORTED_VERSIONS: [u16; 4] = [14, 15, 16, 17];

/// The highest version in the 2024-08-01 API's `ServerVersion` enum. Newer
/// versions are sent as strings (the enum is `modelAsString`).
pub const API_ENUM_MAX_VERSION: u16 = 16;

/// The Azure default of `max_connections` for a SKU's memory
/// (concepts-limits): 2 GiB 50, 4 GiB 429, 8 GiB 859, 16 GiB 1,718,
/// 32 GiB 3,437, 48 GiB and more 5,000.
pub fn default_max_connections(memory: Bytes) -> u32 {
    let gib = memory.as_gib();
    match gib {
        0..=2 => 50,
        3..=4 => 429,
        5..=8 => 859,
        9..=16 => 1718,
        17..=32 => 3437,
        _ => 5000,
    }
}

/// The region a region's geo-redundant backups go to (Azure region pairs).
pub fn paired_region(region: &str) -> Option<&'static str> {
    REGION_PAIRS.iter().find_map(|&(a, b)| {
        if a == region {
            Some(b)
        } else if b == region && a != "westus3" && a != "brazilsouth" {
            Some(a)
        } else {
            None
        }
    })
}

/// Azure region pairs (westus3 and brazilsouth pair one way only).
const REGION_PAIRS: &[(&str, &str)] = &[
    ("koreacentral", "koreasouth"),
    ("eastus", "westus"),
    ("eastus2", "centralus"),
    ("northcentralus", "southcentralus"),
    ("westus2", "westcentralus"),
    ("westus3", "eastus"),
    ("canadacentral", "canadaeast"),
    ("brazilsouth", "southcentralus"),
    ("northeurope", "westeurope"),
    ("uksouth", "ukwest"),
    ("francecentral", "francesouth"),
    ("germanywestcentral", "germanynorth"),
    ("switzerlandnorth", "switzerlandwest"),
    ("norwayeast", "norwaywest"),
    ("swedencentral", "swedensouth"),
    ("japaneast", "japanwest"),
    ("southeastasia", "eastasia"),
    ("australiaeast", "australiasoutheast"),
    ("centralindia", "southindia"),
    ("uaenorth", "uaecentral"),
    ("southafricanorth", "southafricawest"),
];

/// Every region pgplan knows (each is in a pair), sorted, for the proptest
/// strategies.
#[cfg(feature = "proptest")]
pub(crate) fn known_regions() -> Vec<&'static str> {
    let mut regions: Vec<&'static str> = REGION_PAIRS.iter().flat_map(|&(a, b)| [a, b]).collect();
    regions.sort_unstable();
    regions.dedup();
    regions
}

/// Regions without availability zones for zone-redundant HA (regions table,
/// 11/2025; a subset pgplan knows about).
pub fn supports_zone_redundant_ha(region: &str) -> Option<bool> {
    match region {
        "koreacentral" | "eastus" | "eastus2" | "westus2" | "westus3" | "centralus"
        | "southcentralus" | "westeurope" | "northeurope" | "uksouth" | "francecentral"
        | "germanywestcentral" | "japaneast" | "southeastasia" | "australiaeast"
        | "canadacentral" | "centralindia" | "swedencentral" | "switzerlandnorth" => Some(true),
        "koreasouth" | "westus" | "northcentralus" | "westcentralus" | "ukwest" | "japanwest"
        | "australiasoutheast" | "canadaeast" | "southindia" => Some(false),
        _ => None,
    }
}

/// Extensions that Azure allows in `azure.extensions` (concepts-extensions).
pub const ALLOWED_EXTENSIONS: &[&str] = &[
    "address_standardizer",
    "address_standardizer_data_us",
    "age",
    "amcheck",
    "anon",
    "azure_ai",
    "azure_storage",
    "bloom",
    "btree_gin",
    "btree_gist",
    "citext",
    "credcheck",
    "cube",
    "dblink",
    "dict_int",
    "dict_xsyn",
    "earthdistance",
    "fuzzystrmatch",
    "hll",
    "hstore",
    "hypopg",
    "intagg",
    "intarray",
    "isn",
    "lo",
    "login_hook",
    "ltree",
    "oracle_fdw",
    "orafce",
    "pageinspect",
    "pg_buffercache",
    "pg_cron",
    "pg_diskann",
    "pg_freespacemap",
    "pg_hint_plan",
    "pg_partman",
    "pg_prewarm",
    "pg_repack",
    "pg_squeeze",
    "pg_stat_statements",
    "pg_trgm",
    "pg_visibility",
    "pgaudit",
    "pgcrypto",
    "pglogical",
    "pgrouting",
    "pgrowlocks",
    "pgstattuple",
    "plpgsql",
    "plv8",
    "postgis",
    "postgis_raster",
    "postgis_sfcgal",
    "postgis_tiger_geocoder",
    "postgis_topology",
    "postgres_fdw",
    "semver",
    "session_variable",
    "sslinfo",
    "tablefunc",
    "tds_fdw",
    "timescaledb",
    "tsm_system_rows",
    "tsm_system_time",
    "unaccent",
    "uuid-ossp",
    "vector",
];

/// Libraries Azure allows in `shared_preload_libraries`.
pub const ALLOWED_PRELOAD_LIBRARIES: &[&str] = &[
    "age",
    "anon",
    "auto_explain",
    "azure_storage",
    "credcheck",
    "pg_cron",
    "pg_duckdb",
    "pg_failover_slots",
    "pg_hint_plan",
    "pg_partman_bgw",
    "pg_prewarm",
    "pg_squeeze",
    "pg_stat_statements",
    "pgaudit",
    "pglogical",
    "timescaledb",
    "wal2json",
];

/// Server parameters that exist only on Azure (not in PostgreSQL's own
/// `pg_settings`): `require_secure_transport` (TLS enforcement, default on).
pub const AZURE_ONLY_PARAMETERS: &[&str] = &["require_secure_transport"];

/// Azure's default `shared_preload_libraries`.
pub const DEFAULT_PRELOAD_LIBRARIES: &str = "pg_cron,pg_stat_statements";

/// Server properties people mistake for server parameters, and where they live.
pub fn server_property_for(parameter: &str) -> Option<&'static str> {
    SERVER_PROPERTIES
        .iter()
        .find(|(name, _)| *name == parameter)
        .map(|(_, field)| *field)
}

/// Server properties people set as parameters: the name, and the plan field
/// it belongs to.
const SERVER_PROPERTIES: &[(&str, &str)] = &[
    ("backup_retention_days", "backups.managed.retention_days"),
    ("geo_redundant_backup", "backups.managed.geo_redundant"),
    ("high_availability", "platform.azure.high_availability"),
    ("storage_size", "platform.azure.storage.size"),
    ("storage_size_gb", "platform.azure.storage.size"),
    ("sku", "platform.azure.sku"),
    ("sku_name", "platform.azure.sku"),
];

/// The names [`server_property_for`] knows, for the proptest strategies.
#[cfg(feature = "proptest")]
pub(crate) fn server_property_names() -> impl Iterator<Item = &'static str> {
    SERVER_PROPERTIES.iter().map(|(name, _)| *name)
}

/// The compute tier a SKU name belongs to, from its series letter
/// (`Standard_B…` Burstable, `Standard_D…` General Purpose, `Standard_E…`
/// Memory Optimized). `None` for other names.
///
/// ```
/// use pgplan_core::{SkuTier, azure_facts::tier_for_sku};
/// assert_eq!(tier_for_sku("Standard_D4s_v3"), Some(SkuTier::GeneralPurpose));
/// assert_eq!(tier_for_sku("Standard_B1ms"), Some(SkuTier::Burstable));
/// assert_eq!(tier_for_sku("Standard_Z9"), None);
/// ```
pub fn tier_for_sku(name: &str) -> Option<crate::model::platform::SkuTier> {
    use crate::model::platform::SkuTier;
    match name.strip_prefix("Standard_")?.chars().next()? {
        'B' => Some(SkuTier::Burstable),
        'D' => Some(SkuTier::GeneralPurpose),
        'E' => Some(SkuTier::MemoryOptimized),
        _ => None,
    }
}

/// Premium SSD performance tiers (`storage.tier` in the 2024-08-01 API).
pub const PREMIUM_SSD_PERFORMANCE_TIERS: [&str; 14] = [
    "P1", "P2", "P3", "P4", "P6", "P10", "P15", "P20", "P30", "P40", "P50", "P60", "P70", "P80",
];

/// Premium SSD v2 provisioned IOPS range (concepts-storage).
pub const PREMIUM_SSD_V2_IOPS_RANGE: (u32, u32) = (3_000, 80_000);

/// Premium SSD v2 provisioned throughput range in MB/s (concepts-storage).
pub const PREMIUM_SSD_V2_THROUGHPUT_MBPS_RANGE: (u32, u32) = (125, 1_200);

/// Storage use, in percent, at which the server turns read-only
/// (concepts-limits).
pub const STORAGE_READ_ONLY_PERCENT: u16 = 95;

/// Retention Azure applies when the plan does not set one, in days.
pub const DEFAULT_BACKUP_RETENTION_DAYS: u16 = 7;

/// Data that point-in-time restore can lose: transaction log backups are
/// taken about every five minutes.
pub const MANAGED_PITR_RPO: crate::model::units::Interval =
    crate::model::units::Interval::minutes(5);

/// Data that a geo-restore from geo-redundant backups can lose: up to an hour
/// (concepts-backup-restore).
pub const GEO_RESTORE_RPO: crate::model::units::Interval = crate::model::units::Interval::hours(1);

/// Names Azure rejects as the administrator login.
pub const RESERVED_ADMIN_LOGINS: &[&str] = &[
    "azure_superuser",
    "azure_pg_admin",
    "admin",
    "administrator",
    "root",
    "guest",
    "public",
    "postgres",
];

/// Role names that exist on every Flexible Server and belong to the service.
pub const SERVICE_ROLES: &[&str] = &["azuresu", "azure_pg_admin", "replication"];

/// Why Azure does not let users set a parameter, for the parameters the
/// service manages itself (concepts-limits, server-parameters-table-tls, and
/// the parameters a managed server keeps for its backups, standbys, network
/// endpoint and files). `None` for parameters users may set.
///
/// ```
/// use pgplan_core::azure_facts::managed_parameter;
/// assert!(managed_parameter("archive_mode").unwrap().contains("backups"));
/// assert!(managed_parameter("work_mem").is_none());
/// ```
pub fn managed_parameter(name: &str) -> Option<&'static str> {
    MANAGED_PARAMETERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, why)| *why)
}

const ARCHIVING: &str = "WAL archiving is part of the managed backups";
const STANDBYS: &str = "standbys are the service's (high availability and read replicas)";
const TLS: &str = "TLS is always on; use require_secure_transport and ssl_min_protocol_version";
const RESERVED: &str = "Azure holds 15 connection slots back itself: reserved_connections 5, superuser_reserved_connections 10";
const ENDPOINT: &str = "the network endpoint is the service's";
const FILES: &str = "files and server logs are the service's";

/// Parameters Azure manages itself, with the reason (see [`managed_parameter`]).
const MANAGED_PARAMETERS: &[(&str, &str)] = &[
    ("archive_command", ARCHIVING),
    ("archive_library", ARCHIVING),
    ("archive_mode", ARCHIVING),
    ("archive_timeout", ARCHIVING),
    ("restore_command", ARCHIVING),
    ("cluster_name", STANDBYS),
    ("hot_standby", STANDBYS),
    ("primary_conninfo", STANDBYS),
    ("primary_slot_name", STANDBYS),
    ("ssl", TLS),
    ("ssl_ca_file", TLS),
    ("ssl_cert_file", TLS),
    ("ssl_crl_dir", TLS),
    ("ssl_crl_file", TLS),
    ("ssl_key_file", TLS),
    ("ssl_passphrase_command", TLS),
    ("reserved_connections", RESERVED),
    ("superuser_reserved_connections", RESERVED),
    ("listen_addresses", ENDPOINT),
    ("port", ENDPOINT),
    ("unix_socket_directories", ENDPOINT),
    ("unix_socket_group", ENDPOINT),
    ("unix_socket_permissions", ENDPOINT),
    ("config_file", FILES),
    ("data_directory", FILES),
    ("external_pid_file", FILES),
    ("hba_file", FILES),
    ("ident_file", FILES),
    ("log_directory", FILES),
    ("log_file_mode", FILES),
    ("log_filename", FILES),
    ("logging_collector", FILES),
];

/// The names [`managed_parameter`] knows, for the proptest strategies.
#[cfg(feature = "proptest")]
pub(crate) fn managed_parameter_names() -> impl Iterator<Item = &'static str> {
    MANAGED_PARAMETERS.iter().map(|(name, _)| *name)
}

/// The service a private-access subnet must be delegated to.
pub const SUBNET_DELEGATION: &str = "Microsoft.DBforPostgreSQL/flexibleServers";

/// The suffix every private DNS zone of a VNet-injected server ends with.
pub const PRIVATE_DNS_ZONE_SUFFIX: &str = ".postgres.database.azure.com";

/// The smallest subnet a VNet-injected server can be delegated (`/28`).
pub const SMALLEST_SUBNET_PREFIX: u8 = 28;

/// The private DNS zone a VNet-injected server gets by default, and the one
/// pgplan proposes: `<server>.private.postgres.database.azure.com`.
///
/// ```
/// use pgplan_core::azure_facts::own_private_dns_zone;
/// assert_eq!(own_private_dns_zone("orders-pg"), "orders-pg.private.postgres.database.azure.com");
/// ```
pub fn own_private_dns_zone(server: &str) -> String {
    format!("{server}.private{PRIVATE_DNS_ZONE_SUFFIX}")
}

/// The host name of a server: `<server>.postgres.database.azure.com` (a
/// private DNS zone must not be this name).
pub fn server_host_name(server: &str) -> String {
    format!("{server}{PRIVATE_DNS_ZONE_SUFFIX}")
}

/// `/subscriptions/{subscription}/resourceGroups/{group}`.
pub fn resource_group_id(subscription: &str, group: &ResourceGroupName) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{group}")
}

/// The resource id of a flexible server in a resource group (given by its id).
pub fn server_id(group_id: &str, server: &str) -> String {
    format!("{group_id}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{server}")
}

/// The resource id of a VNet integration's delegated subnet: the plan's id,
/// or one built from the VNet and subnet names in the resource group.
pub fn subnet_id(group_id: &str, private: &PrivateAccess) -> String {
    let (subnet, vnet) = (&private.subnet, &private.vnet);
    if subnet.is_id() {
        subnet.to_string()
    } else if vnet.is_id() {
        format!("{vnet}/subnets/{subnet}")
    } else {
        format!("{group_id}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}")
    }
}

/// The resource id of a private DNS zone: the plan's id, or one built from
/// the zone's name in the resource group.
pub fn private_dns_zone_id(group_id: &str, zone: &PrivateDnsZone) -> String {
    if zone.is_id() {
        zone.to_string()
    } else {
        format!("{group_id}/providers/Microsoft.Network/privateDnsZones/{zone}")
    }
}

/// The items of a list-valued parameter as written in a plan
/// (`'pg_cron, "pg_stat_statements"'` → `pg_cron`, `pg_stat_statements`):
/// outer single quotes, spaces and double quotes around items dropped,
/// empty items skipped. Azure takes such lists comma-separated without
/// spaces (`azure.extensions`, `shared_preload_libraries`).
///
/// ```
/// use pgplan_core::azure_facts::parameter_list;
/// assert_eq!(parameter_list("'pg_cron, \"pg_stat_statements\",'"), ["pg_cron", "pg_stat_statements"]);
/// ```
pub fn parameter_list(raw: &str) -> Vec<&str> {
    unquote(raw)
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
        .collect()
}

/// A parameter value without the single quotes a plan may put around it
/// (`'%t [%p] '` → `%t [%p] `); anything else is kept as written, spaces
/// included (a trailing space in `log_line_prefix` matters).
pub fn unquote(raw: &str) -> &str {
    let t = raw.trim();
    if t.len() >= 2 && t.starts_with('\'') && t.ends_with('\'') {
        &t[1..t.len() - 1]
    } else {
        raw
    }
}

/// The value of a parameter as the configurations API takes it and reports
/// it (the `pg_settings` form): numbers in the parameter's unit
/// (`shared_buffers` in 8 kB pages), booleans `on`/`off`, enum values as the
/// catalog spells them, lists comma-separated without spaces, text as written
/// without its quotes. `spec` is the parameter's catalog entry (`None` for
/// extension and Azure-only parameters). A value the catalog refuses is kept
/// as written: the parameters rule (PGP015) reports it before anything is
/// rendered.
///
/// ```
/// use pgplan_core::{Catalog, azure_facts::configuration_value};
/// let c = Catalog::for_major(16).unwrap();
/// assert_eq!(configuration_value(c.get("shared_buffers"), "shared_buffers", "4GB"), "524288");
/// assert_eq!(configuration_value(c.get("log_checkpoints"), "log_checkpoints", "true"), "on");
/// assert_eq!(configuration_value(None, "azure.extensions", "'pg_trgm, uuid-ossp'"), "pg_trgm,uuid-ossp");
/// assert_eq!(configuration_value(None, "require_secure_transport", "true"), "on");
/// ```
pub fn configuration_value(spec: Option<&ParamSpec>, name: &str, raw: &str) -> String {
    let Some(spec) = spec else {
        if AZURE_ONLY_PARAMETERS.contains(&name) {
            return match parse_bool(raw) {
                Some(true) => "on".into(),
                Some(false) => "off".into(),
                None => raw.to_owned(),
            };
        }
        if LIST_PARAMETERS.contains(&name) {
            return parameter_list(raw).join(",");
        }
        return unquote(raw).trim().to_owned();
    };
    if LIST_PARAMETERS.contains(&name) {
        return parameter_list(raw).join(",");
    }
    if spec.vartype == VarType::String {
        return unquote(raw).to_owned();
    }
    match spec.parse_value(raw) {
        Ok(TypedValue::Bool(b)) => if b { "on" } else { "off" }.to_owned(),
        Ok(TypedValue::Number(n)) => format_number(n),
        // Enum values in the catalog's spelling (`TLSv1.2`, not `tlsv1.2`):
        // Azure lists them so in allowedValues.
        Ok(TypedValue::Text(t)) if spec.vartype == VarType::Enum => spec
            .enumvals
            .iter()
            .find(|e| e.eq_ignore_ascii_case(&t))
            .map(|e| (*e).to_owned())
            .unwrap_or(t),
        Ok(TypedValue::Text(t)) => t,
        Err(_) => raw.to_owned(),
    }
}

/// Parameters whose value is a list Azure takes comma-separated.
const LIST_PARAMETERS: [&str; 2] = ["shared_preload_libraries", "azure.extensions"];

/// A database's character set as the API's `charset` takes it (pattern
/// `^[a-zA-Z]+\w*$`): PostgreSQL's name of the encoding (`UTF8`), which
/// every [`Encoding`] is.
pub fn charset(encoding: &Encoding) -> &str {
    encoding.as_str()
}

/// A database's collation as the API's `collation` takes it: the locale
/// with its codeset spelled as glibc normalises it, lowercase without
/// punctuation (`en_US.UTF-8` → `en_US.utf8`, `de_DE.ISO-8859-1@euro` →
/// `de_DE.iso88591@euro`), since the API's pattern allows no hyphen after
/// the language part. Whether the API takes the result is
/// [`collation_accepted`].
///
/// ```
/// use pgplan_core::{Locale, azure_facts::collation};
/// assert_eq!(collation(&Locale::new("en_US.UTF-8").unwrap()), "en_US.utf8");
/// assert_eq!(collation(&Locale::new("C").unwrap()), "C");
/// ```
pub fn collation(locale: &Locale) -> String {
    let locale = locale.as_str();
    match locale.split_once('.') {
        Some((lang, codeset)) => {
            let (codeset, modifier) = codeset.split_once('@').unwrap_or((codeset, ""));
            let codeset: String = codeset
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            if modifier.is_empty() {
                format!("{lang}.{codeset}")
            } else {
                format!("{lang}.{codeset}@{modifier}")
            }
        }
        None => locale.to_owned(),
    }
}

/// True when the databases API takes a collation: its pattern is
/// `^[a-zA-Z\-]+([. ]|\w)*$` (letters and hyphens, then letters, digits,
/// `_`, `.` and spaces; no `@`).
pub fn collation_accepted(collation: &str) -> bool {
    let lead = collation
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
        .count();
    lead > 0
        && collation[lead..]
            .chars()
            .all(|c| c == '.' || c == ' ' || c.is_alphanumeric() || c == '_')
}

/// True when the databases API takes a database name: its path pattern is
/// `^[a-zA-Z_][\w\-]{0,62}$` (a letter or `_`, then letters, digits, `_`
/// and `-`, at most 63 characters).
pub fn database_name_accepted(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().count() <= 63
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The resource type of a user-assigned managed identity.
pub const MANAGED_IDENTITY_TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

/// Checks an entry of `platform.azure.managed_identities`: a user-assigned
/// identity's name (3–128 letters, digits, `-` and `_`, starting with a
/// letter or digit; in the server's resource group) or its resource id.
///
/// ```
/// use pgplan_core::azure_facts::check_managed_identity;
/// assert!(check_managed_identity("event-api-identity").is_ok());
/// assert!(check_managed_identity("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api").is_ok());
/// assert!(check_managed_identity("-api").is_err());
/// assert!(check_managed_identity("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v").is_err());
/// ```
pub fn check_managed_identity(entry: &str) -> Result<(), String> {
    if entry.starts_with('/') {
        let parts: Vec<&str> = entry.trim_start_matches('/').split('/').collect();
        let typed = parts.len() == 8
            && parts[0].eq_ignore_ascii_case("subscriptions")
            && parts[2].eq_ignore_ascii_case("resourceGroups")
            && parts[4].eq_ignore_ascii_case("providers")
            && format!("{}/{}", parts[5], parts[6]).eq_ignore_ascii_case(MANAGED_IDENTITY_TYPE)
            && parts.iter().all(|p| !p.is_empty());
        return match typed {
            true => check_managed_identity(parts[7]),
            false => Err(format!(
                "a managed identity's resource id is /subscriptions/<id>/resourceGroups/<group>/providers/{MANAGED_IDENTITY_TYPE}/<name>"
            )),
        };
    }
    let len = entry.chars().count();
    let ok = (3..=128).contains(&len)
        && entry.starts_with(|c: char| c.is_ascii_alphanumeric())
        && entry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err("a user-assigned managed identity's name is 3–128 letters, digits, `-` and `_`, starting with a letter or digit".into())
    }
}

/// The entry of `platform.azure.managed_identities` an Entra identity role
/// names: the entry itself, or the entry whose resource id ends in that
/// name.
pub fn managed_identity<'a>(azure: &'a Azure, principal: &str) -> Option<&'a str> {
    azure
        .managed_identities
        .iter()
        .map(String::as_str)
        .find(|entry| *entry == principal)
        .or_else(|| {
            azure
                .managed_identities
                .iter()
                .map(String::as_str)
                .find(|entry| entry.starts_with('/') && entry.rsplit('/').next() == Some(principal))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_symmetric_where_azure_pairs_them() {
        assert_eq!(paired_region("koreacentral"), Some("koreasouth"));
        assert_eq!(paired_region("koreasouth"), Some("koreacentral"));
        assert_eq!(paired_region("westus3"), Some("eastus"));
        assert_eq!(paired_region("eastus"), Some("westus"));
        assert_eq!(paired_region("atlantis"), None);
    }

    #[test]
    fn every_encoding_is_a_charset_the_api_takes() {
        // The API's charset pattern: ^[a-zA-Z]+\w*$.
        for name in crate::model::locale::SERVER_ENCODINGS {
            let c = charset(&Encoding::new(name).unwrap()).to_owned();
            let mut chars = c.chars();
            assert!(chars.next().is_some_and(|c| c.is_ascii_alphabetic()), "{c}");
            assert!(chars.all(|c| c.is_ascii_alphanumeric() || c == '_'), "{c}");
        }
    }

    #[test]
    fn collations_and_database_names_follow_the_api_patterns() {
        let col = |l: &str| collation(&Locale::new(l).unwrap());
        assert_eq!(col("ko_KR.UTF8"), "ko_KR.utf8");
        assert_eq!(col("de_DE.ISO-8859-1@euro"), "de_DE.iso88591@euro");
        assert!(collation_accepted("en_US.utf8"));
        assert!(collation_accepted("C"));
        assert!(!collation_accepted("en_US.UTF-8"));
        assert!(!collation_accepted(&col("de_DE.ISO-8859-1@euro")));
        assert!(!collation_accepted("1en_US"));
        assert!(database_name_accepted("bill_inquiry_db"));
        assert!(database_name_accepted("_x-1"));
        assert!(!database_name_accepted("1db"));
        assert!(!database_name_accepted("bill db"));
        assert!(!database_name_accepted(&"d".repeat(64)));
    }

    #[test]
    fn lists_and_quotes() {
        assert_eq!(unquote("'%t [%p] '"), "%t [%p] ");
        assert_eq!(unquote("%t [%p] "), "%t [%p] ");
        assert_eq!(parameter_list(""), Vec::<&str>::new());
        assert_eq!(parameter_list("a,,b"), ["a", "b"]);
        assert_eq!(managed_parameter("ssl"), Some(TLS));
    }

    #[test]
    fn default_connections_follow_memory() {
        assert_eq!(default_max_connections(Bytes::gib(16)), 1718);
        assert_eq!(default_max_connections(Bytes::gib(2)), 50);
        assert_eq!(default_max_connections(Bytes::gib(64)), 5000);
    }
}
