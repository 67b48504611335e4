//! A plan's monthly cost from a dated price table.
//!
//! Azure Flexible Server: compute per SKU, provisioned storage, backup
//! storage beyond the free amount (100 % of the provisioned storage), the
//! geo-redundant rate when backups are copied to the paired region, the
//! standby of high availability (compute and storage again), and each read
//! replica. Kubernetes (and a server on this machine): the pods' requests ×
//! unit prices, and the volumes by storage class. Every line says quantity ×
//! unit price, so the arithmetic can be checked by hand.
//!
//! ```
//! use pgplan_doc::{PriceTable, cost::estimate};
//! let plan = pgplan_core::Plan::from_yaml("
//! service: orders
//! environment: development
//! version: 17
//! platform: { kubernetes: { namespace: shop, image: postgres:17.2 } }
//! sizing:
//!   cpu: { request: 1, limit: 2 }
//!   memory: { request: 4Gi, limit: 4Gi }
//!   data_volume: 50Gi
//! ").unwrap().validate().unwrap();
//! let prices = PriceTable::builtin();
//! let e = estimate(&plan, &prices);
//! // 1 core × 20.40 + 4 GiB × 5.10 + 50 GiB × 0.075
//! assert_eq!(e.total_cents(), 2040 + 2040 + 375);
//! ```

use std::collections::BTreeMap;

use pgplan_core::{
    AzureHaMode, AzureStorageType, Bytes, Platform, SkuTier, ValidPlan, azure_facts,
};
use serde::{Deserialize, Serialize};

use crate::{Error, Lang};

/// The price table in the repository (`crates/doc/prices/koreacentral.yaml`).
pub const BUILTIN_PRICES: &str = include_str!("../prices/koreacentral.yaml");

/// Unit prices, with the date, region and source they were taken from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    /// When the prices were taken (`2025-09-01`).
    pub date: String,
    /// The Azure region they are for.
    pub region: String,
    /// The currency (`USD`).
    pub currency: String,
    /// Where they come from.
    pub source: String,
    /// Hours in a month (730).
    pub hours_per_month: f64,
    /// Azure Database for PostgreSQL Flexible Server.
    pub azure: AzurePrices,
    /// Pods and volumes (also a server on this machine).
    pub kubernetes: KubernetesPrices,
}

/// Azure's unit prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzurePrices {
    /// Compute per hour by SKU name.
    pub sku_per_hour: BTreeMap<String, f64>,
    /// Compute per vCore-hour by tier (`burstable`, `general_purpose`,
    /// `memory_optimized`), for SKUs not listed.
    pub vcore_per_hour: BTreeMap<String, f64>,
    /// Provisioned storage per GiB-month by storage type (`Premium_LRS`).
    pub storage_per_gib_month: BTreeMap<String, f64>,
    /// Backup storage beyond the free amount per GiB-month.
    pub backup_per_gib_month: BackupPrices,
    /// The share of the data point-in-time backups keep per day of retention.
    pub backup_daily_change: f64,
    /// Logical dumps in Blob Storage per GiB-month.
    pub blob_per_gib_month: f64,
    /// A one-year reservation's discount on compute (0.35 = 35 %).
    pub reserved_one_year_discount: f64,
}

/// Backup storage prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupPrices {
    /// Kept in the server's region.
    pub locally_redundant: f64,
    /// Copied to the paired region.
    pub geo_redundant: f64,
}

/// Kubernetes unit prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesPrices {
    /// A requested core per month.
    pub cpu_per_core_month: f64,
    /// A requested GiB of memory per month.
    pub memory_per_gib_month: f64,
    /// Volumes per GiB-month by storage class; `default` for the rest.
    pub storage_per_gib_month: BTreeMap<String, f64>,
}

impl PriceTable {
    /// The table in the repository.
    pub fn builtin() -> PriceTable {
        // Checked by the crate's tests: the file in the repository parses.
        PriceTable::from_yaml(BUILTIN_PRICES).unwrap_or_else(|e| panic!("{e}"))
    }
    /// A table from YAML (or JSON, which is YAML).
    ///
    /// # Errors
    ///
    /// A field that is missing, unknown or not a number, or a negative price.
    pub fn from_yaml(text: &str) -> Result<PriceTable, Error> {
        let table: PriceTable =
            serde_saphyr::from_str(text).map_err(|e| Error::Prices(e.to_string()))?;
        table.check()?;
        Ok(table)
    }
    fn check(&self) -> Result<(), Error> {
        let mut prices: Vec<(String, f64)> = vec![
            ("hours_per_month".into(), self.hours_per_month),
            (
                "azure.backup_daily_change".into(),
                self.azure.backup_daily_change,
            ),
            (
                "azure.blob_per_gib_month".into(),
                self.azure.blob_per_gib_month,
            ),
            (
                "azure.backup_per_gib_month.locally_redundant".into(),
                self.azure.backup_per_gib_month.locally_redundant,
            ),
            (
                "azure.backup_per_gib_month.geo_redundant".into(),
                self.azure.backup_per_gib_month.geo_redundant,
            ),
            (
                "kubernetes.cpu_per_core_month".into(),
                self.kubernetes.cpu_per_core_month,
            ),
            (
                "kubernetes.memory_per_gib_month".into(),
                self.kubernetes.memory_per_gib_month,
            ),
        ];
        let maps = [
            ("azure.sku_per_hour", &self.azure.sku_per_hour),
            ("azure.vcore_per_hour", &self.azure.vcore_per_hour),
            (
                "azure.storage_per_gib_month",
                &self.azure.storage_per_gib_month,
            ),
            (
                "kubernetes.storage_per_gib_month",
                &self.kubernetes.storage_per_gib_month,
            ),
        ];
        for (field, map) in maps {
            prices.extend(map.iter().map(|(k, v)| (format!("{field}.{k}"), *v)));
        }
        for (field, value) in prices {
            if !value.is_finite() || value < 0.0 {
                return Err(Error::Prices(format!(
                    "{field} is {value}: prices are numbers of zero or more"
                )));
            }
        }
        if !(0.0..1.0).contains(&self.azure.reserved_one_year_discount) {
            return Err(Error::Prices(format!(
                "azure.reserved_one_year_discount is {}: a share below 1 (0.35 = 35 %)",
                self.azure.reserved_one_year_discount
            )));
        }
        if self.hours_per_month <= 0.0 {
            return Err(Error::Prices(
                "hours_per_month must be above 0 (730 is a year's hours / 12)".into(),
            ));
        }
        Ok(())
    }
}

/// What a line of an estimate prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostItem {
    /// The server's compute.
    Compute,
    /// The high-availability standby's compute.
    StandbyCompute,
    /// A read replica's compute.
    ReplicaCompute,
    /// Provisioned storage.
    Storage,
    /// The standby's storage.
    StandbyStorage,
    /// A read replica's storage.
    ReplicaStorage,
    /// Backup storage beyond the free amount.
    BackupStorage,
    /// Logical dumps kept in Blob Storage.
    DumpStorage,
    /// Requested CPU.
    Cpu,
    /// Requested memory.
    Memory,
    /// A persistent volume.
    Volume,
}

impl CostItem {
    /// The item in words.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            CostItem::Compute => lang.pick("compute", "컴퓨팅"),
            CostItem::StandbyCompute => {
                lang.pick("HA standby compute", "고가용성 대기 서버 컴퓨팅")
            }
            CostItem::ReplicaCompute => lang.pick("read replica compute", "읽기 복제본 컴퓨팅"),
            CostItem::Storage => lang.pick("storage", "스토리지"),
            CostItem::StandbyStorage => {
                lang.pick("HA standby storage", "고가용성 대기 서버 스토리지")
            }
            CostItem::ReplicaStorage => lang.pick("read replica storage", "읽기 복제본 스토리지"),
            CostItem::BackupStorage => lang.pick("backup storage", "백업 스토리지"),
            CostItem::DumpStorage => {
                lang.pick("logical dumps (Blob Storage)", "논리 백업 (Blob Storage)")
            }
            CostItem::Cpu => lang.pick("CPU requests", "CPU 요청량"),
            CostItem::Memory => lang.pick("memory requests", "메모리 요청량"),
            CostItem::Volume => lang.pick("volume", "볼륨"),
        }
    }
}

/// One line of an estimate: quantity × unit price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostLine {
    /// What it prices.
    pub item: CostItem,
    /// Which resource (`Standard_D4s_v3`, `data volume (managed-csi)`).
    pub resource: String,
    /// How many units.
    pub quantity: f64,
    /// The unit (`hour`, `GiB-month`, `core-month`).
    pub unit: &'static str,
    /// Price of one unit.
    pub unit_price: f64,
    /// quantity × unit price, in cents (rounded).
    pub monthly_cents: u64,
}

/// A plan's monthly estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The currency.
    pub currency: String,
    /// The price table's date.
    pub price_date: String,
    /// The price table's region.
    pub price_region: String,
    /// The price table's source.
    pub price_source: String,
    /// The lines.
    pub lines: Vec<CostLine>,
    /// With a one-year reservation of compute, when the platform has one.
    pub reserved_cents: Option<u64>,
    /// What the estimate leaves out or assumes.
    pub notes: Vec<Note>,
}

/// What an estimate assumes or leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "note")]
pub enum Note {
    /// The plan's region is not the price table's.
    OtherRegion {
        /// The plan's region.
        region: String,
    },
    /// A SKU with no price; left out.
    UnknownSku {
        /// The SKU.
        sku: String,
    },
    /// Backups were estimated from the databases' estimated sizes.
    BackupFromEstimatedSize {
        /// Data the backups keep, GiB.
        data_gib: u64,
        /// Retention in days.
        retention_days: u16,
    },
    /// No database states an estimated size: backup storage is not priced.
    NoEstimatedSize,
    /// The compute is the server's own; pgplan does not know what it costs.
    SelfManaged,
}

impl Note {
    /// The note in words.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Note::OtherRegion { region }, Lang::En) => format!(
                "the plan's region is {region}; the prices are for another region, so treat the figures as a guide"
            ),
            (Note::OtherRegion { region }, Lang::Ko) => format!(
                "계획의 리전은 {region}이며 가격표는 다른 리전 기준이므로 참고용 수치입니다"
            ),
            (Note::UnknownSku { sku }, Lang::En) => {
                format!("no price for SKU {sku}: add it to the price table (--prices)")
            }
            (Note::UnknownSku { sku }, Lang::Ko) => {
                format!("SKU {sku}의 가격이 없습니다: 가격표(--prices)에 추가하십시오")
            }
            (
                Note::BackupFromEstimatedSize {
                    data_gib,
                    retention_days,
                },
                Lang::En,
            ) => format!(
                "backup storage assumes {data_gib} GiB of data (the databases' estimated_size) and {retention_days} days of changes"
            ),
            (
                Note::BackupFromEstimatedSize {
                    data_gib,
                    retention_days,
                },
                Lang::Ko,
            ) => format!(
                "백업 스토리지는 데이터 {data_gib} GiB(데이터베이스 estimated_size)와 {retention_days}일치 변경분을 가정합니다"
            ),
            (Note::NoEstimatedSize, Lang::En) => {
                "no database states estimated_size: backup and dump storage are not priced".into()
            }
            (Note::NoEstimatedSize, Lang::Ko) => {
                "estimated_size가 있는 데이터베이스가 없어 백업 스토리지는 산정하지 않았습니다".into()
            }
            (Note::SelfManaged, Lang::En) => {
                "a server on this machine is priced like a pod: its sizing × the Kubernetes unit prices".into()
            }
            (Note::SelfManaged, Lang::Ko) => {
                "이 머신의 서버는 Pod처럼 산정합니다: sizing × Kubernetes 단가".into()
            }
        }
    }
}

impl Estimate {
    /// The monthly total in cents.
    pub fn total_cents(&self) -> u64 {
        self.lines.iter().map(|l| l.monthly_cents).sum()
    }
    /// The estimate as Markdown: a table of lines, the total and the notes.
    pub fn to_markdown(&self, lang: Lang) -> String {
        let mut w = crate::markdown::Writer::new();
        crate::document::estimate_markdown(&mut w, self, lang);
        w.finish()
    }
    /// The estimate as aligned text for a terminal.
    pub fn to_text(&self, lang: Lang) -> String {
        use std::fmt::Write as _;
        let trim = crate::document::trim;
        let rows: Vec<[String; 3]> = self
            .lines
            .iter()
            .map(|l| {
                [
                    format!("{} {}", l.item.label(lang), l.resource),
                    format!("{} {} × {}", trim(l.quantity), l.unit, trim(l.unit_price)),
                    money(l.monthly_cents),
                ]
            })
            .collect();
        let w0 = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0);
        let w1 = rows.iter().map(|r| r[1].chars().count()).max().unwrap_or(0);
        let w2 = rows
            .iter()
            .map(|r| r[2].len())
            .chain(std::iter::once(money(self.total_cents()).len()))
            .max()
            .unwrap_or(0);
        let pad =
            |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
        let mut out = String::new();
        for r in &rows {
            let _ = writeln!(out, "{}  {}  {:>w2$}", pad(&r[0], w0), pad(&r[1], w1), r[2]);
        }
        let total = lang.pick("total per month", "월 합계");
        let _ = writeln!(
            out,
            "{}  {:>w2$} {}",
            pad(total, w0 + w1 + 2),
            money(self.total_cents()),
            self.currency
        );
        if let Some(r) = self.reserved_cents {
            let label = lang.pick("with compute reserved for one year", "컴퓨팅 1년 예약 시");
            let _ = writeln!(
                out,
                "{}  {:>w2$} {}",
                pad(label, w0 + w1 + 2),
                money(r),
                self.currency
            );
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {}", n.text(lang));
        }
        let _ = writeln!(
            out,
            "{} {} ({}): {}",
            lang.pick("prices of", "가격 기준일"),
            self.price_date,
            self.price_region,
            self.price_source
        );
        out
    }
}

/// Cents as money: `1,234.50`.
pub fn money(cents: u64) -> String {
    let whole = cents / 100;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", cents % 100)
}

fn cents(amount: f64) -> u64 {
    // Prices are checked non-negative and finite; quantities are sizes.
    (amount * 100.0).round().max(0.0) as u64
}

fn gib(b: Bytes) -> f64 {
    b.gib_f64()
}

struct Lines {
    lines: Vec<CostLine>,
}

impl Lines {
    fn push(
        &mut self,
        item: CostItem,
        resource: String,
        quantity: f64,
        unit: &'static str,
        unit_price: f64,
    ) {
        self.lines.push(CostLine {
            item,
            resource,
            quantity,
            unit,
            unit_price,
            monthly_cents: cents(quantity * unit_price),
        });
    }
}

/// The plan's monthly estimate.
pub fn estimate(plan: &ValidPlan, prices: &PriceTable) -> Estimate {
    let mut lines = Lines { lines: Vec::new() };
    let mut notes = Vec::new();
    let mut reserved_cents = None;
    match &plan.platform {
        Platform::Azure(a) => {
            if a.region.as_str() != prices.region {
                notes.push(Note::OtherRegion {
                    region: a.region.to_string(),
                });
            }
            let hours = prices.hours_per_month;
            let sku_hourly = |sku: &pgplan_core::AzureSku, notes: &mut Vec<Note>| {
                let name = sku.name.as_str();
                if let Some(p) = prices.azure.sku_per_hour.get(name) {
                    return Some(*p);
                }
                let tier = sku.tier().or_else(|| azure_facts::tier_for_sku(name));
                let per_vcore = tier.and_then(|t| {
                    prices.azure.vcore_per_hour.get(match t {
                        SkuTier::Burstable => "burstable",
                        SkuTier::GeneralPurpose => "general_purpose",
                        SkuTier::MemoryOptimized => "memory_optimized",
                    })
                });
                match (per_vcore, sku.capacity()) {
                    (Some(p), Some((vcores, _))) => Some(p * f64::from(vcores)),
                    _ => {
                        notes.push(Note::UnknownSku {
                            sku: name.to_owned(),
                        });
                        None
                    }
                }
            };
            let storage_kind = match a.storage.kind {
                AzureStorageType::PremiumLrs => "Premium_LRS",
                _ => "PremiumV2_LRS",
            };
            let storage_price = prices
                .azure
                .storage_per_gib_month
                .get(storage_kind)
                .copied()
                .unwrap_or(0.0);
            let mut compute_cents = 0;
            if let Some(h) = sku_hourly(&a.sku, &mut notes) {
                lines.push(CostItem::Compute, a.sku.name.to_string(), hours, "hour", h);
                compute_cents += cents(hours * h);
            }
            lines.push(
                CostItem::Storage,
                format!("{storage_kind} {}", a.storage.size.human()),
                gib(a.storage.size),
                "GiB-month",
                storage_price,
            );
            if a.high_availability.mode != AzureHaMode::Disabled {
                if let Some(h) = sku_hourly(&a.sku, &mut Vec::new()) {
                    lines.push(
                        CostItem::StandbyCompute,
                        a.sku.name.to_string(),
                        hours,
                        "hour",
                        h,
                    );
                    compute_cents += cents(hours * h);
                }
                lines.push(
                    CostItem::StandbyStorage,
                    format!("{storage_kind} {}", a.storage.size.human()),
                    gib(a.storage.size),
                    "GiB-month",
                    storage_price,
                );
            }
            for r in &plan.topology.replicas {
                let sku = r.sku.as_ref().unwrap_or(&a.sku);
                if let Some(h) = sku_hourly(sku, &mut notes) {
                    lines.push(
                        CostItem::ReplicaCompute,
                        format!("{} {}", r.name, sku.name),
                        hours,
                        "hour",
                        h,
                    );
                    compute_cents += cents(hours * h);
                }
                let size = r.storage.unwrap_or(a.storage.size);
                lines.push(
                    CostItem::ReplicaStorage,
                    format!("{} {storage_kind} {}", r.name, size.human()),
                    gib(size),
                    "GiB-month",
                    storage_price,
                );
            }
            let data = estimated_data(plan);
            if let Some(m) = &plan.backups.managed {
                match data {
                    Some(data) => {
                        let kept = gib(data)
                            * (1.0
                                + prices.azure.backup_daily_change * f64::from(m.retention_days));
                        let beyond = (kept - gib(a.storage.size)).max(0.0);
                        let (rate, kind) = if m.geo_redundant {
                            (
                                prices.azure.backup_per_gib_month.geo_redundant,
                                "geo-redundant",
                            )
                        } else {
                            (
                                prices.azure.backup_per_gib_month.locally_redundant,
                                "locally redundant",
                            )
                        };
                        lines.push(
                            CostItem::BackupStorage,
                            format!("{kind}, {} days", m.retention_days),
                            round2(beyond),
                            "GiB-month",
                            rate,
                        );
                        notes.push(Note::BackupFromEstimatedSize {
                            data_gib: data.as_gib(),
                            retention_days: m.retention_days,
                        });
                    }
                    None => notes.push(Note::NoEstimatedSize),
                }
            }
            dump_lines(plan, prices, data, &mut lines);
            if prices.azure.reserved_one_year_discount > 0.0 {
                let others: u64 =
                    lines.lines.iter().map(|l| l.monthly_cents).sum::<u64>() - compute_cents;
                let reserved = (compute_cents as f64
                    * (1.0 - prices.azure.reserved_one_year_discount))
                    .round() as u64;
                reserved_cents = Some(others + reserved);
            }
        }
        Platform::Kubernetes(k) => {
            pod_lines(
                plan,
                prices,
                k.storage_class.as_ref().map(|s| s.as_str()),
                &mut lines,
            );
            dump_lines(plan, prices, estimated_data(plan), &mut lines);
        }
        Platform::Local(_) => {
            notes.push(Note::SelfManaged);
            pod_lines(plan, prices, None, &mut lines);
        }
    }
    Estimate {
        currency: prices.currency.clone(),
        price_date: prices.date.clone(),
        price_region: prices.region.clone(),
        price_source: prices.source.clone(),
        lines: lines.lines,
        reserved_cents,
        notes,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Σ estimated_size of the databases, when any states one.
fn estimated_data(plan: &ValidPlan) -> Option<Bytes> {
    let sizes: Vec<Bytes> = plan
        .databases
        .iter()
        .filter_map(|d| d.estimated_size)
        .collect();
    if sizes.is_empty() {
        None
    } else {
        Some(sizes.into_iter().fold(Bytes::ZERO, Bytes::saturating_add))
    }
}

/// Servers the pods price: the primary, each Patroni member or read replica.
fn server_count(plan: &ValidPlan) -> u32 {
    match &plan.topology.patroni {
        Some(p) => u32::try_from(p.members.len()).unwrap_or(u32::MAX).max(1),
        None => 1 + u32::try_from(plan.topology.replicas.len()).unwrap_or(0),
    }
}

fn pod_lines(plan: &ValidPlan, prices: &PriceTable, class: Option<&str>, lines: &mut Lines) {
    let k = &prices.kubernetes;
    let servers = f64::from(server_count(plan));
    let each = if servers > 1.0 {
        format!(" × {servers}")
    } else {
        String::new()
    };
    if let Some(cpu) = plan.sizing.cpu {
        let cores = f64::from(cpu.request.as_millis()) / 1000.0;
        lines.push(
            CostItem::Cpu,
            format!("{}{each}", cpu.request),
            cores * servers,
            "core-month",
            k.cpu_per_core_month,
        );
    }
    if let Some(memory) = plan.sizing.memory {
        lines.push(
            CostItem::Memory,
            format!("{}{each}", memory.request),
            gib(memory.request) * servers,
            "GiB-month",
            k.memory_per_gib_month,
        );
    }
    let class_name = class.unwrap_or("default");
    let price = k
        .storage_per_gib_month
        .get(class_name)
        .or_else(|| k.storage_per_gib_month.get("default"))
        .copied()
        .unwrap_or(0.0);
    for (what, size, per_server) in [
        ("data", plan.sizing.data_volume, true),
        ("WAL", plan.sizing.wal_volume, true),
        ("backup", plan.sizing.backup_volume, false),
    ] {
        if let Some(size) = size {
            let count = if per_server { servers } else { 1.0 };
            let times = if count > 1.0 {
                format!(" × {count}")
            } else {
                String::new()
            };
            lines.push(
                CostItem::Volume,
                format!("{what} {}{times} ({class_name})", size.human()),
                gib(size) * count,
                "GiB-month",
                price,
            );
        }
    }
}

fn dump_lines(plan: &ValidPlan, prices: &PriceTable, data: Option<Bytes>, lines: &mut Lines) {
    let Some(data) = data else { return };
    for b in &plan.backups.logical {
        if !matches!(
            b.destination,
            pgplan_core::BackupDestination::BlobStorage { .. }
        ) {
            continue;
        }
        // As PGP072 counts them: the most runs one retention window holds.
        let kept = b.schedule.most_runs_within(b.retention);
        let size: Bytes = if b.databases.is_empty() {
            data
        } else {
            plan.databases
                .iter()
                .filter(|d| b.databases.contains(&d.name))
                .filter_map(|d| d.estimated_size)
                .fold(Bytes::ZERO, Bytes::saturating_add)
        };
        lines.push(
            CostItem::DumpStorage,
            format!("{}: {kept} × {}", b.name, size.human()),
            gib(size) * kept as f64,
            "GiB-month",
            prices.azure.blob_per_gib_month,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_parses_and_states_its_origin() {
        let t = PriceTable::builtin();
        assert_eq!(t.region, "koreacentral");
        assert_eq!(t.currency, "USD");
        assert!(t.date.starts_with("20"));
        assert!(t.source.contains("Azure"));
    }

    #[test]
    fn negative_prices_are_refused_with_the_field() {
        let text = BUILTIN_PRICES.replace("cpu_per_core_month: 20.4", "cpu_per_core_month: -1");
        let e = PriceTable::from_yaml(&text).unwrap_err().to_string();
        assert!(e.contains("kubernetes.cpu_per_core_month"), "{e}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let text = format!("{BUILTIN_PRICES}\nfoo: 1\n");
        assert!(PriceTable::from_yaml(&text).is_err());
    }

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(290), "2.90");
        assert_eq!(money(265_000), "2,650.00");
        assert_eq!(money(123_456_789), "1,234,567.89");
    }
}
