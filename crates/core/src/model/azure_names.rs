//! Names Azure Resource Manager constrains: regions, server and resource
//! group names, zones, GUIDs, resource references, SKU names, storage and
//! Key Vault names. Each is checked once, with Azure's naming rules, and
//! kept in the form the API takes.

use super::platform::SkuTier;
use super::text::text_newtype;

fn region(s: &str) -> Result<String, String> {
    let ok = !s.trim().is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ');
    if ok {
        // The API's spelling: `Korea Central` is `koreacentral`.
        Ok(s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase())
    } else {
        Err("use the region's name (`koreacentral`) or its display name (`Korea Central`): letters, digits and spaces".into())
    }
}

text_newtype!(
    /// An Azure region, kept as the API spells it: display names such as
    /// `Korea Central` read as `koreacentral`.
    ///
    /// ```
    /// use pgplan_core::Region;
    /// assert_eq!(Region::new("Korea Central").unwrap().as_str(), "koreacentral");
    /// assert!(Region::new("korea-central").is_err());
    /// ```
    Region,
    "Azure region",
    region
);

fn server_name(s: &str) -> Result<String, String> {
    let len = s.chars().count();
    let problem = if !(3..=63).contains(&len) {
        Some(format!("it is {len} characters long; Azure allows 3–63"))
    } else if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        Some(format!(
            "`{c}` is not allowed; only lowercase letters, digits and hyphens are"
        ))
    } else if s.starts_with('-') || s.ends_with('-') {
        Some("it cannot start or end with a hyphen".into())
    } else if s.contains("--") {
        Some("two hyphens in a row are not allowed".into())
    } else {
        None
    };
    match problem {
        None => Ok(s.to_owned()),
        Some(p) => Err(format!(
            "{p}; use 3–63 lowercase letters, digits and single hyphens, e.g. `{}` (the name is part of the server's host name and cannot be changed later)",
            suggest_server_name(s)
        )),
    }
}

/// A valid server name close to an invalid one.
fn suggest_server_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(63).collect();
    while out.ends_with('-') {
        out.pop();
    }
    while out.len() < 3 {
        out.push_str(if out.is_empty() { "pg" } else { "-pg" });
    }
    out
}

text_newtype!(
    /// A Flexible Server name: 3–63 lowercase letters, digits and `-`,
    /// globally unique (it is the host name `<name>.postgres.database.azure.com`).
    AzureServerName,
    "Azure server name",
    server_name
);

fn resource_group(s: &str) -> Result<String, String> {
    let ok = (1..=90).contains(&s.chars().count())
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
        && !s.ends_with('.');
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use 1–90 letters, digits, `-`, `_`, `.`, `(` and `)`, not ending with `.`".into())
    }
}

text_newtype!(
    /// An Azure resource group name.
    ResourceGroupName,
    "resource group name",
    resource_group
);

fn zone(s: &str) -> Result<String, String> {
    match s {
        "1" | "2" | "3" => Ok(s.to_owned()),
        _ => Err("Azure availability zones are \"1\", \"2\" and \"3\"".into()),
    }
}

text_newtype!(
    /// An availability zone: `"1"`, `"2"` or `"3"`.
    AvailabilityZone,
    "availability zone",
    zone
);

fn guid(s: &str) -> Result<String, String> {
    let groups: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(
            "a GUID is 8-4-4-4-12 hexadecimal digits, such as 00000000-0000-0000-0000-000000000000"
                .into(),
        )
    }
}

text_newtype!(
    /// A GUID (subscription, tenant or object id), lowercase.
    Guid,
    "GUID",
    guid
);

fn resource_ref(s: &str) -> Result<String, String> {
    if let Some(path) = s.strip_prefix('/') {
        let parts: Vec<&str> = path.split('/').collect();
        let ok = parts.len() >= 8
            && parts.len().is_multiple_of(2)
            && parts[0].eq_ignore_ascii_case("subscriptions")
            && parts[2].eq_ignore_ascii_case("resourceGroups")
            && parts[4].eq_ignore_ascii_case("providers")
            && parts
                .iter()
                .all(|p| !p.is_empty() && !p.contains(char::is_whitespace));
        return if ok {
            Ok(s.to_owned())
        } else {
            Err("a resource id is /subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>".into())
        };
    }
    let ok = (1..=80).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use a name (letters, digits, `-`, `_` and `.`) or a full resource id (/subscriptions/…)".into())
    }
}

text_newtype!(
    /// A resource named either by its name (in the server's resource group)
    /// or by its full resource id: a virtual network, a subnet, a private
    /// DNS zone.
    ///
    /// ```
    /// use pgplan_core::AzureResourceRef;
    /// assert!(!AzureResourceRef::new("phonebill-vnet").unwrap().is_id());
    /// assert!(AzureResourceRef::new("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v").unwrap().is_id());
    /// assert!(AzureResourceRef::new("my vnet").is_err());
    /// ```
    AzureResourceRef,
    "Azure resource name or id",
    resource_ref
);

impl AzureResourceRef {
    /// True when written as a full resource id.
    pub fn is_id(&self) -> bool {
        self.0.starts_with('/')
    }
    /// The resource's own name (the last part of an id).
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

fn private_dns_zone(s: &str) -> Result<String, String> {
    if s.starts_with('/') {
        return resource_ref(s);
    }
    let lower = s.to_ascii_lowercase();
    let ok = lower.len() <= 253
        && lower.split('.').count() >= 2
        && lower.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if ok {
        Ok(lower)
    } else {
        Err("use a DNS zone name such as <server>.private.postgres.database.azure.com, or the zone's resource id".into())
    }
}

text_newtype!(
    /// A private DNS zone: its name (`<server>.private.postgres.database.azure.com`)
    /// or its resource id.
    PrivateDnsZone,
    "private DNS zone",
    private_dns_zone
);

impl PrivateDnsZone {
    /// True when written as a full resource id.
    pub fn is_id(&self) -> bool {
        self.0.starts_with('/')
    }
    /// The zone's name (the last part of an id).
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

fn sku_name(s: &str) -> Result<String, String> {
    let ok = s.starts_with("Standard_")
        && s.len() > "Standard_".len()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(s.to_owned())
    } else {
        Err("a Flexible Server SKU is `Standard_<size>`, such as Standard_B1ms, Standard_D4s_v3 or Standard_E8ds_v5".into())
    }
}

text_newtype!(
    /// A Flexible Server compute SKU name (`Standard_D4s_v3`).
    SkuName,
    "SKU name",
    sku_name
);

impl SkuName {
    /// The tier the SKU's series belongs to: B is Burstable, D General
    /// Purpose, E Memory Optimized. `None` for a series pgplan does not know.
    pub fn tier(&self) -> Option<SkuTier> {
        match self.0.strip_prefix("Standard_")?.chars().next()? {
            'B' => Some(SkuTier::Burstable),
            'D' => Some(SkuTier::GeneralPurpose),
            'E' => Some(SkuTier::MemoryOptimized),
            _ => None,
        }
    }
}

fn performance_tier(s: &str) -> Result<String, String> {
    let upper = s.to_ascii_uppercase();
    let ok = upper
        .strip_prefix('P')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(upper)
    } else {
        Err("a Premium SSD performance tier is P1 … P80, such as P15".into())
    }
}

text_newtype!(
    /// A Premium SSD performance tier (`P15`).
    PerformanceTier,
    "performance tier",
    performance_tier
);

fn storage_account(s: &str) -> Result<String, String> {
    let ok = (3..=24).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use 3–24 lowercase letters and digits (a storage account name)".into())
    }
}

text_newtype!(
    /// An Azure storage account name.
    StorageAccountName,
    "storage account name",
    storage_account
);

fn blob_container(s: &str) -> Result<String, String> {
    let ok = (3..=63).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use 3–63 lowercase letters, digits and single `-`, starting and ending with a letter or digit".into())
    }
}

text_newtype!(
    /// A blob container name.
    BlobContainerName,
    "blob container name",
    blob_container
);

fn key_vault(s: &str) -> Result<String, String> {
    let ok = (3..=24).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && s.as_bytes()[0].is_ascii_alphabetic()
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use 3–24 letters, digits and single `-`, starting with a letter and ending with a letter or digit".into())
    }
}

text_newtype!(
    /// An Azure Key Vault name.
    KeyVaultName,
    "Key Vault name",
    key_vault
);

fn key_vault_secret(s: &str) -> Result<String, String> {
    let ok =
        (1..=127).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use 1–127 letters, digits and `-`".into())
    }
}

text_newtype!(
    /// A Key Vault secret name.
    KeyVaultSecretName,
    "Key Vault secret name",
    key_vault_secret
);

fn firewall_rule(s: &str) -> Result<String, String> {
    // The Azure CLI's pattern: a letter or digit, then up to 79 letters,
    // digits, `-` or `_`, not ending with `-`.
    let mut chars = s.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && s.len() <= 80
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !s.ends_with('-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use 1–80 letters, digits, `-` and `_`, starting with a letter or digit and not ending with `-`".into())
    }
}

text_newtype!(
    /// A firewall rule name.
    FirewallRuleName,
    "firewall rule name",
    firewall_rule
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_read_display_names() {
        assert_eq!(Region::new("Korea South").unwrap(), "koreasouth");
        assert!(Region::new("").is_err());
    }

    #[test]
    fn sku_names_give_their_tier() {
        let t = |s: &str| SkuName::new(s).unwrap().tier();
        assert_eq!(t("Standard_B1ms"), Some(SkuTier::Burstable));
        assert_eq!(t("Standard_D4s_v3"), Some(SkuTier::GeneralPurpose));
        assert_eq!(t("Standard_E8ds_v5"), Some(SkuTier::MemoryOptimized));
        assert!(SkuName::new("D4s_v3").is_err());
    }

    #[test]
    fn names_follow_azure_rules() {
        assert!(AzureServerName::new("phonebill-bill-inquiry-prod-pg").is_ok());
        assert!(AzureServerName::new("pg").is_err());
        assert!(AzureServerName::new("Phonebill").is_err());
        assert!(Guid::new("0000000A-0000-0000-0000-000000000000").is_ok());
        assert!(Guid::new("not-a-guid").is_err());
        assert!(KeyVaultName::new("phonebill-kv").is_ok());
        assert!(KeyVaultName::new("1kv").is_err());
        assert!(AvailabilityZone::new("4").is_err());
        assert_eq!(PerformanceTier::new("p15").unwrap(), "P15");
        assert!(PrivateDnsZone::new("privatelink.postgres.database.azure.com").is_ok());
        assert!(PrivateDnsZone::new("nodots").is_err());
    }
}
