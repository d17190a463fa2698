//! The IP ranges a third party (Avista delivering a webhook to a one-off URL) must never be sent to: one
//! table, [`REFUSED_RANGES`], of CIDR blocks and why each is refused, and [`refused_range`] to look an
//! address up in it.
//!
//! The table follows the IANA IPv4 and IPv6 Special-Purpose Address Registries ("globally reachable:
//! false"), plus multicast, the rest of the IPv4 "reserved" block, IPv6 outside global unicast
//! (`2000::/3`, the only block IANA allocates for it) and the deprecated site-local block. A few blocks
//! are refused whole although some of their addresses are marked reachable or "N/A", because no webhook
//! receiver lives there and several of them carry an IPv4 address inside the IPv6 one (IPv4-mapped and
//! IPv4-compatible `::/96`, 6to4 `2002::/16`, Teredo `2001::/32` inside `2001::/23`, the anycast services
//! in `192.0.0.0/24`). The one IPv6 form judged by the IPv4 address it carries is the NAT64 well-known
//! prefix `64:ff9b::/96` (IANA: globally reachable), so `[64:ff9b::7f00:1]` is refused as `127.0.0.1`.
//!
//! Only addresses written as addresses are judged: a DNS name (even `127.0.0.1.nip.io`) is not resolved
//! here, because what it points to is decided where Avista resolves it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One refused block: `cidr` as written in the registries, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusedRange {
    pub cidr: &'static str,
    pub why: &'static str,
}

const fn r(cidr: &'static str, why: &'static str) -> RefusedRange {
    RefusedRange { cidr, why }
}

/// Every refused block, IPv4 first. Blocks may nest (the first match names the reason).
pub const REFUSED_RANGES: &[RefusedRange] = &[
    r("0.0.0.0/8", "\"this network\" (RFC 791), including the unspecified address 0.0.0.0"),
    r("10.0.0.0/8", "private network (RFC 1918)"),
    r("100.64.0.0/10", "shared address space, carrier-grade NAT (RFC 6598)"),
    r("127.0.0.0/8", "loopback, this computer (RFC 1122)"),
    r("169.254.0.0/16", "link-local, including cloud metadata 169.254.169.254 (RFC 3927)"),
    r("172.16.0.0/12", "private network (RFC 1918)"),
    r("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
    r("192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"),
    r("192.88.99.0/24", "6to4 relay anycast, deprecated (RFC 7526)"),
    r("192.168.0.0/16", "private network (RFC 1918)"),
    r("198.18.0.0/15", "benchmarking (RFC 2544)"),
    r("198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"),
    r("203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"),
    r("224.0.0.0/4", "multicast (RFC 5771)"),
    r("240.0.0.0/4", "reserved, including the limited broadcast 255.255.255.255 (RFC 1112, RFC 919)"),
    r("::/128", "unspecified address (RFC 4291)"),
    r("::1/128", "loopback, this computer (RFC 4291)"),
    r("::/96", "IPv4-compatible, deprecated; carries an IPv4 address (RFC 4291)"),
    r("::ffff:0:0/96", "IPv4-mapped; carries an IPv4 address, write that address instead (RFC 4291)"),
    r("::ffff:0:0:0/96", "IPv4-translated (RFC 2765); carries an IPv4 address"),
    r("64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)"),
    r("100::/64", "discard-only (RFC 6666)"),
    r(
        "2001::/23",
        "IETF protocol assignments, including Teredo 2001::/32, which carries IPv4 addresses (RFC 2928, RFC 4380)",
    ),
    r("2001:db8::/32", "documentation (RFC 3849)"),
    r("2002::/16", "6to4; carries an IPv4 address (RFC 3056)"),
    r("3fff::/20", "documentation (RFC 9637)"),
    r("5f00::/16", "segment routing (SRv6) SIDs (RFC 9602)"),
    r("fc00::/7", "unique local, a private network (RFC 4193)"),
    r("fe80::/10", "link-local (RFC 4291)"),
    r("fec0::/10", "site-local, deprecated (RFC 3879)"),
    r("ff00::/8", "multicast (RFC 4291)"),
    // Everything else outside global unicast 2000::/3 is reserved or unassigned by IANA.
    r("::/3", "outside IPv6 global unicast 2000::/3 (reserved by IANA)"),
    r("4000::/2", "outside IPv6 global unicast 2000::/3 (reserved by IANA)"),
    r("8000::/1", "outside IPv6 global unicast 2000::/3 (reserved by IANA)"),
];

/// The NAT64 well-known prefix (RFC 6052): its last 32 bits are the IPv4 address actually reached.
const NAT64_WELL_KNOWN: [u16; 6] = [0x64, 0xff9b, 0, 0, 0, 0];

/// The refused block `ip` falls in, if any. An address under the NAT64 well-known prefix is judged by
/// the IPv4 address it carries.
pub fn refused_range(ip: IpAddr) -> Option<RefusedRange> {
    if let IpAddr::V6(v6) = ip {
        let s = v6.segments();
        if s[..6] == NAT64_WELL_KNOWN {
            let [.., a, b, c, d] = v6.octets();
            return refused_range(IpAddr::V4(Ipv4Addr::new(a, b, c, d)));
        }
    }
    REFUSED_RANGES.iter().copied().find(|range| contains(range.cidr, ip))
}

/// True for an address not in any refused block (see [`refused_range`]).
pub fn is_public_ip(ip: IpAddr) -> bool {
    refused_range(ip).is_none()
}

/// Parses `a.b.c.d/len` or `x::y/len` (the table's own notation).
fn parse_cidr(cidr: &str) -> (IpAddr, u32) {
    let (addr, len) = cidr.split_once('/').expect("a CIDR has a prefix length");
    (addr.parse().expect("a CIDR starts with an address"), len.parse().expect("the prefix length is a number"))
}

/// True when `ip` is of the same family as `cidr` and its first prefix-length bits match.
fn contains(cidr: &str, ip: IpAddr) -> bool {
    match (parse_cidr(cidr), ip) {
        ((IpAddr::V4(net), len), IpAddr::V4(ip)) => same_prefix(u32::from(net).into(), u32::from(ip).into(), 32, len),
        ((IpAddr::V6(net), len), IpAddr::V6(ip)) => same_prefix(u128::from(net), u128::from(ip), 128, len),
        _ => false,
    }
}

fn same_prefix(net: u128, ip: u128, width: u32, len: u32) -> bool {
    len == 0 || (net ^ ip) >> (width - len) == 0
}

/// The first and last address of a block (for tests and documentation).
pub fn bounds(cidr: &str) -> (IpAddr, IpAddr) {
    match parse_cidr(cidr) {
        (IpAddr::V4(net), len) => {
            let host = u32::MAX.checked_shr(len).unwrap_or(0);
            (IpAddr::V4(net), IpAddr::V4(Ipv4Addr::from(u32::from(net) | host)))
        }
        (IpAddr::V6(net), len) => {
            let host = u128::MAX.checked_shr(len).unwrap_or(0);
            (IpAddr::V6(net), IpAddr::V6(Ipv6Addr::from(u128::from(net) | host)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn why(s: &str) -> Option<&'static str> {
        refused_range(ip(s)).map(|r| r.cidr)
    }

    #[test]
    fn every_row_is_a_well_formed_block() {
        for range in REFUSED_RANGES {
            let (net, len) = parse_cidr(range.cidr);
            let width = if net.is_ipv4() { 32 } else { 128 };
            assert!(len <= width, "{}", range.cidr);
            let (first, _) = bounds(range.cidr);
            assert_eq!(first, net, "{}: host bits must be zero", range.cidr);
            assert!(!range.why.is_empty());
        }
    }

    #[test]
    fn first_and_last_address_of_every_row_are_refused() {
        for range in REFUSED_RANGES {
            let (first, last) = bounds(range.cidr);
            assert!(refused_range(first).is_some(), "{first} ({})", range.cidr);
            assert!(refused_range(last).is_some(), "{last} ({})", range.cidr);
        }
    }

    /// Range by range: the first and last address are refused for that block's reason, and the
    /// neighbours just outside are public (where the neighbour is not itself in another refused block).
    #[test]
    fn ipv4_ranges_first_last_and_just_outside() {
        let cases: &[(&str, &str, &str, &[&str])] = &[
            // (block, first, last, public neighbours just outside)
            ("0.0.0.0/8", "0.0.0.0", "0.255.255.255", &["1.0.0.0"]),
            ("10.0.0.0/8", "10.0.0.0", "10.255.255.255", &["9.255.255.255", "11.0.0.0"]),
            ("100.64.0.0/10", "100.64.0.0", "100.127.255.255", &["100.63.255.255", "100.128.0.0"]),
            ("127.0.0.0/8", "127.0.0.0", "127.255.255.255", &["126.255.255.255", "128.0.0.0"]),
            ("169.254.0.0/16", "169.254.0.0", "169.254.255.255", &["169.253.255.255", "169.255.0.0"]),
            ("172.16.0.0/12", "172.16.0.0", "172.31.255.255", &["172.15.255.255", "172.32.0.0"]),
            ("192.0.0.0/24", "192.0.0.0", "192.0.0.255", &["191.255.255.255", "192.0.1.0"]),
            ("192.0.2.0/24", "192.0.2.0", "192.0.2.255", &["192.0.1.255", "192.0.3.0"]),
            ("192.88.99.0/24", "192.88.99.0", "192.88.99.255", &["192.88.98.255", "192.88.100.0"]),
            ("192.168.0.0/16", "192.168.0.0", "192.168.255.255", &["192.167.255.255", "192.169.0.0"]),
            ("198.18.0.0/15", "198.18.0.0", "198.19.255.255", &["198.17.255.255", "198.20.0.0"]),
            ("198.51.100.0/24", "198.51.100.0", "198.51.100.255", &["198.51.99.255", "198.51.101.0"]),
            ("203.0.113.0/24", "203.0.113.0", "203.0.113.255", &["203.0.112.255", "203.0.114.0"]),
            ("224.0.0.0/4", "224.0.0.0", "239.255.255.255", &["223.255.255.255"]),
            ("240.0.0.0/4", "240.0.0.0", "255.255.255.255", &[]),
        ];
        check_cases(cases);
    }

    #[test]
    fn ipv6_ranges_first_last_and_just_outside() {
        let cases: &[(&str, &str, &str, &[&str])] = &[
            ("::/128", "::", "::", &[]),
            ("::1/128", "::1", "::1", &[]),
            ("::/96", "::", "::ffff:ffff", &[]),
            ("::ffff:0:0/96", "::ffff:0:0", "::ffff:ffff:ffff", &[]),
            ("::ffff:0:0:0/96", "::ffff:0:0:0", "::ffff:0:ffff:ffff", &[]),
            ("64:ff9b:1::/48", "64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", &[]),
            ("100::/64", "100::", "100::ffff:ffff:ffff:ffff", &[]),
            (
                "2001::/23",
                "2001::",
                "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
                &["2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:200::"],
            ),
            (
                "2001:db8::/32",
                "2001:db8::",
                "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
                &["2001:db7:ffff::1", "2001:db9::"],
            ),
            (
                "2002::/16",
                "2002::",
                "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                &["2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2003::"],
            ),
            ("3fff::/20", "3fff::", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", &["3ffe:ffff::1", "3fff:1000::"]),
            ("5f00::/16", "5f00::", "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &[]),
            ("fc00::/7", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &[]),
            ("fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &[]),
            ("fec0::/10", "fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &[]),
            ("ff00::/8", "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &[]),
            ("::/3", "::", "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &["2000::"]),
            (
                "4000::/2",
                "4000::",
                "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                &["3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
            ),
            ("8000::/1", "8000::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &[]),
        ];
        check_cases(cases);
        // Global unicast is public: its first and last address.
        assert_eq!(why("2000::"), None);
        assert_eq!(why("3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), None);
    }

    fn check_cases(cases: &[(&str, &str, &str, &[&str])]) {
        for (cidr, first, last, outside) in cases {
            assert!(REFUSED_RANGES.iter().any(|r| r.cidr == *cidr), "{cidr} is not in the table");
            assert_eq!(bounds(cidr), (ip(first), ip(last)), "{cidr}");
            // The address is refused, and by this row unless a row listed earlier covers it.
            for a in [first, last] {
                let hit = why(a).unwrap_or_else(|| panic!("{a} ({cidr}) is accepted"));
                let earlier = REFUSED_RANGES.iter().position(|r| r.cidr == hit).unwrap()
                    <= REFUSED_RANGES.iter().position(|r| r.cidr == *cidr).unwrap();
                assert!(earlier, "{a} is refused as {hit}, not {cidr}");
            }
            for a in *outside {
                assert_eq!(why(a), None, "{a} just outside {cidr} must be public");
            }
        }
    }

    #[test]
    fn ipv6_forms_carrying_a_private_ipv4_are_refused() {
        for a in [
            "::127.0.0.1",                          // IPv4-compatible
            "::ffff:7f00:1",                        // IPv4-mapped
            "::ffff:8.8.8.8",                       // IPv4-mapped, even of a public address: write the IPv4 itself
            "::ffff:0:7f00:1",                      // IPv4-translated
            "2002:7f00:1::",                        // 6to4 of 127.0.0.1
            "2002:a00:1::1",                        // 6to4 of 10.0.0.1
            "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1 (obfuscated)
            "64:ff9b::7f00:1",                      // NAT64 of 127.0.0.1
            "64:ff9b::a9fe:a9fe",                   // NAT64 of 169.254.169.254
            "64:ff9b::c000:201",                    // NAT64 of 192.0.2.1
            "64:ff9b:1::8.8.8.8",                   // local-use NAT64, whatever it carries
        ] {
            assert!(refused_range(ip(a)).is_some(), "{a} is accepted");
        }
        // The NAT64 well-known prefix with a public IPv4 address is public (IANA: globally reachable).
        assert_eq!(why("64:ff9b::808:808"), None);
        assert_eq!(why("64:ff9b::c000:201"), Some("192.0.2.0/24"));
    }

    #[test]
    fn public_addresses_are_accepted() {
        for a in ["8.8.8.8", "1.1.1.1", "192.0.1.1", "223.255.255.255", "2001:4860:4860::8888", "2606:4700::1111"] {
            assert!(is_public_ip(ip(a)), "{a}");
        }
    }
}
