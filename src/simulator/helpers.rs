//! Small pieces every simulator and the engine share: a sliding rate window, seeded data, random tokens,
//! HTTP dates, the loopback rule for delivery targets and a poison-tolerant lock.

use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, taking the data over from a thread that panicked while holding it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A sliding one-minute (or any) window of accepted calls.
#[derive(Debug, Default)]
pub struct Window {
    hits: VecDeque<i64>,
}

impl Window {
    /// Records a hit and returns `true` when fewer than `limit` hits happened in the last `span_ms`.
    pub fn try_hit(&mut self, now_ms: i64, span_ms: i64, limit: u32) -> bool {
        while self.hits.front().is_some_and(|&t| t <= now_ms - span_ms) {
            self.hits.pop_front();
        }
        if self.hits.len() >= limit as usize {
            return false;
        }
        self.hits.push_back(now_ms);
        true
    }
}

/// A deterministic pseudo-random generator for seeded data (xorshift; no global state).
pub struct SeedRng(u64);

impl SeedRng {
    pub fn new(seed: u64, stream: u64) -> Self {
        SeedRng((seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    pub fn hex(&mut self, len: usize) -> String {
        const HEX: &[u8] = b"0123456789abcdef";
        (0..len).map(|_| HEX[self.below(16) as usize] as char).collect()
    }

    pub fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len).map(|_| CHARS[self.below(CHARS.len() as u64) as usize] as char).collect()
    }
}

/// A fresh random token (hex) for request ids and access tokens.
pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// An RFC 7231 `Date` value (what real servers send; clients derive their clock skew from it).
pub fn http_date(now_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default().format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Only loopback destinations: the sandbox never sends data off this machine.
pub fn check_loopback_url(url: &str) -> Result<()> {
    let parsed = url::Url::parse(url).map_err(|_| Error::invalid_field("callback_url", "not_a_url"))?;
    let ok_scheme = matches!(parsed.scheme(), "http" | "https");
    let ok_host = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if ok_scheme && ok_host {
        Ok(())
    } else {
        Err(Error::invalid_field("callback_url", "not_loopback"))
    }
}
