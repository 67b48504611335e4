//! Facts about Kubernetes that validation needs: the syntax of names and
//! labels (from the API conventions and the apimachinery validators).

/// Longest DNS label (Services, Job names, namespaces).
pub const MAX_DNS_LABEL: usize = 63;
/// Longest DNS subdomain (most object names).
pub const MAX_DNS_SUBDOMAIN: usize = 253;
/// Longest StatefulSet or CronJob name: their controllers append a suffix
/// (`-<10-char revision hash>`, `-<8-digit schedule time>`) that must still
/// fit a 63-character label value.
pub const MAX_CONTROLLER_NAME: usize = 52;

/// True for a DNS label: lowercase letters, digits and `-`, starting and
/// ending with a letter or digit, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_DNS_LABEL
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// True for a DNS subdomain: dot-separated DNS labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_DNS_SUBDOMAIN && s.split('.').all(is_dns_label)
}

/// True for the name part of a label key or a non-empty label value:
/// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric, at most 63.
fn is_label_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_DNS_LABEL
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric()
}

/// Checks a label key (`[prefix/]name`).
pub fn check_label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && !is_dns_subdomain(p)
    {
        return Err(format!(
            "the prefix `{p}` of label key `{key}` is not a DNS subdomain (lowercase letters, digits, `-` and `.`)"
        ));
    }
    if !is_label_name(name) {
        return Err(format!(
            "label key `{key}`: the name part must be 1–63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ));
    }
    Ok(())
}

/// Checks a label value (empty, or 1–63 letters, digits, `-`, `_`, `.`).
pub fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_label_name(value) {
        Ok(())
    } else {
        Err(format!(
            "label value `{value}` must be empty or 1–63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"
        ))
    }
}
