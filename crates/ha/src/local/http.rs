//! A minimal HTTP/1.1 client for the loopback services the runner talks to:
//! Patroni's REST API, etcd's `/health`, HAProxy's statistics and the
//! exporters' `/metrics`. One request per connection (`Connection: close`),
//! plain HTTP on loopback addresses only.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::Error;

/// An answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Body.
    pub body: String,
}

impl Response {
    /// The body as JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// Basic authentication.
pub struct Auth<'a> {
    /// User.
    pub user: &'a str,
    /// Password.
    pub password: &'a str,
}

fn base64(input: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Splits `http://host:port/path` into the address and the path.
fn parse(url: &str) -> Option<(SocketAddr, &str)> {
    let rest = url.strip_prefix("http://")?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    Some((hostport.parse().ok()?, path))
}

/// Sends a request; `Err` only when no answer came (connection refused,
/// timeout), with the reason.
pub fn request(
    method: &str,
    url: &str,
    body: Option<&str>,
    auth: Option<&Auth<'_>>,
    timeout: Duration,
) -> Result<Response, String> {
    let (addr, path) = parse(url).ok_or_else(|| format!("not an http://ip:port URL: {url}"))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: */*\r\n");
    if let Some(a) = auth {
        req.push_str(&format!(
            "Authorization: Basic {}\r\n",
            base64(format!("{}:{}", a.user, a.password).as_bytes())
        ));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || matches!(method, "POST" | "PATCH" | "PUT") {
        req.push_str("Content-Type: application/json\r\n");
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream
        .write_all(req.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no HTTP status from {url}"))?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:")
            && l.to_ascii_lowercase().contains("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    Ok(Response { status, body })
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A GET with a short timeout.
pub fn get(url: &str) -> Result<Response, String> {
    request("GET", url, None, None, Duration::from_secs(2))
}

/// A request whose failure is an [`Error::Api`]; `ok` statuses pass.
///
/// # Errors
///
/// [`Error::Api`] for no answer or a status outside 200–299.
pub fn call(
    method: &str,
    url: &str,
    body: Option<&str>,
    auth: Option<&Auth<'_>>,
    timeout: Duration,
) -> Result<Response, Error> {
    match request(method, url, body, auth, timeout) {
        Ok(r) if (200..300).contains(&r.status) => Ok(r),
        Ok(r) => Err(Error::Api {
            method: method.into(),
            url: url.into(),
            status: r.status,
            body: r.body.trim().chars().take(300).collect(),
        }),
        Err(e) => Err(Error::Api {
            method: method.into(),
            url: url.into(),
            status: 0,
            body: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_basic_credentials() {
        assert_eq!(base64(b"pgplan:secret"), "cGdwbGFuOnNlY3JldA==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn urls_and_chunks() {
        let (a, p) = parse("http://127.0.0.11:8008/replica?lag=1").unwrap();
        assert_eq!(a.to_string(), "127.0.0.11:8008");
        assert_eq!(p, "/replica?lag=1");
        assert!(parse("https://x").is_none());
        assert_eq!(dechunk("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "abcde");
    }
}
