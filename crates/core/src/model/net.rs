//! Network addresses and ranges, parsed once.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::input::Input;
use super::names::NameError;

/// An address range in CIDR notation (`10.0.2.0/24`, `fd00::/8`).
///
/// ```
/// use pgplan_core::CidrRange;
/// let r: CidrRange = "10.0.2.0/24".parse().unwrap();
/// assert!(r.contains("10.0.2.17".parse().unwrap()));
/// assert_eq!(r.prefix_len(), 24);
/// assert!(r.is_network_address());
/// assert!("10.0.2.0".parse::<CidrRange>().is_err());
/// assert!("10.0.2.0/33".parse::<CidrRange>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CidrRange {
    addr: IpAddr,
    prefix: u8,
}

impl CidrRange {
    /// Checks and wraps a range.
    pub fn new(s: &str) -> Result<Self, NameError> {
        let err = |reason: &str| NameError {
            kind: "CIDR range",
            input: s.to_owned(),
            reason: reason.to_owned(),
        };
        let (a, p) = s
            .split_once('/')
            .ok_or_else(|| err("write an address and a prefix length, such as 10.0.1.0/24"))?;
        let addr: IpAddr = a
            .parse()
            .map_err(|_| err("the part before `/` is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = p.parse().ok().filter(|n| *n <= max).ok_or_else(|| {
            err(&format!(
                "the prefix length must be a number from 0 to {max}"
            ))
        })?;
        Ok(CidrRange { addr, prefix })
    }
    /// The address as written.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }
    /// The prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }
    /// True for an IPv4 range.
    pub fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }
    fn mask(&self) -> u128 {
        let bits = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == 0 {
            0
        } else {
            (u128::MAX << (bits - u32::from(self.prefix))) & (u128::MAX >> (128 - bits))
        }
    }
    fn bits(addr: IpAddr) -> u128 {
        match addr {
            IpAddr::V4(a) => u128::from(u32::from(a)),
            IpAddr::V6(a) => u128::from(a),
        }
    }
    /// True when the address has no host bits set (`10.0.2.0/24`, not `10.0.2.1/24`).
    pub fn is_network_address(&self) -> bool {
        Self::bits(self.addr) & !self.mask() == 0
    }
    /// True when the range holds the address.
    pub fn contains(&self, addr: IpAddr) -> bool {
        addr.is_ipv4() == self.addr.is_ipv4()
            && Self::bits(addr) & self.mask() == Self::bits(self.addr) & self.mask()
    }
    /// True when the two ranges share an address.
    pub fn overlaps(&self, other: &CidrRange) -> bool {
        if self.is_ipv4() != other.is_ipv4() {
            return false;
        }
        let mask = self.mask() & other.mask();
        Self::bits(self.addr) & mask == Self::bits(other.addr) & mask
    }
    /// First and last IPv4 address of an IPv4 range.
    pub fn ipv4_bounds(&self) -> Option<(Ipv4Addr, Ipv4Addr)> {
        let IpAddr::V4(a) = self.addr else {
            return None;
        };
        let mask = self.mask() as u32;
        let first = u32::from(a) & mask;
        Some((Ipv4Addr::from(first), Ipv4Addr::from(first | !mask)))
    }
}

impl fmt::Display for CidrRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for CidrRange {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl Serialize for CidrRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CidrRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

super::input::text_input!(CidrRange);

/// An IPv4 address as plans write it; the error names the text.
pub fn parse_ipv4(s: &str) -> Result<Ipv4Addr, NameError> {
    s.parse().map_err(|_| NameError {
        kind: "IPv4 address",
        input: s.to_owned(),
        reason: "write four numbers from 0 to 255 separated by dots, such as 10.0.1.0".into(),
    })
}

/// Serde for IPv4 addresses with [`parse_ipv4`]'s message.
pub mod ipv4_serde {
    use std::net::Ipv4Addr;

    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the address.
    pub fn serialize<S: Serializer>(a: &Ipv4Addr, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(a)
    }
    /// Reads the address.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Ipv4Addr, D::Error> {
        super::parse_ipv4(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Input<Ipv4Addr> for Ipv4Addr {
    fn into_value(self) -> Result<Ipv4Addr, String> {
        Ok(self)
    }
}

impl Input<Ipv4Addr> for &str {
    fn into_value(self) -> Result<Ipv4Addr, String> {
        parse_ipv4(self).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = CidrRange::new("10.0.1.0/24").unwrap();
        assert_eq!(
            r.ipv4_bounds(),
            Some(("10.0.1.0".parse().unwrap(), "10.0.1.255".parse().unwrap()))
        );
        assert!(r.overlaps(&CidrRange::new("10.0.0.0/16").unwrap()));
        assert!(!r.overlaps(&CidrRange::new("10.0.2.0/24").unwrap()));
        assert!(!CidrRange::new("10.0.1.1/24").unwrap().is_network_address());
        assert!(
            CidrRange::new("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            CidrRange::new("fd00::/8")
                .unwrap()
                .contains("fd12::1".parse().unwrap())
        );
        assert!(parse_ipv4("10.0.1.256").is_err());
    }
}
