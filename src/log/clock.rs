//! UTC time for the log without a date-time dependency: timestamps, day-file names,
//! decision ids, and the `--since` durations the views accept.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One instant, read once per judgement so the id, the timestamp and the day file agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// Milliseconds since the Unix epoch.
    pub millis: u64,
}

/// A civil UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    milli: u32,
}

impl Instant {
    /// Now.
    pub fn now() -> Instant {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        Instant {
            millis: u64::try_from(since.as_millis()).unwrap_or(u64::MAX),
        }
    }

    fn civil(self) -> Civil {
        let secs = i64::try_from(self.millis / 1000).unwrap_or(i64::MAX);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: u32::try_from(rem / 3600).unwrap_or(0),
            minute: u32::try_from(rem % 3600 / 60).unwrap_or(0),
            second: u32::try_from(rem % 60).unwrap_or(0),
            milli: u32::try_from(self.millis % 1000).unwrap_or(0),
        }
    }

    /// RFC 3339 with milliseconds: `2026-12-04T20:18:22.123Z`.
    pub fn rfc3339(self) -> String {
        let c = self.civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second, c.milli
        )
    }

    /// The UTC day, as the log's file names spell it: `2026-12-04`.
    pub fn day(self) -> String {
        let c = self.civil();
        format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
    }

    /// The compact prefix of a decision id: `20261204-201822`.
    pub fn compact(self) -> String {
        let c = self.civil();
        format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }

    /// This instant minus a duration (saturating at the epoch).
    pub fn minus(self, d: Duration) -> Instant {
        Instant {
            millis: self
                .millis
                .saturating_sub(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        }
    }

    /// Parses what [`Instant::rfc3339`] writes (and a bare `YYYY-MM-DD`).
    pub fn parse(text: &str) -> Option<Instant> {
        let text = text.trim();
        let (date, time) = match text.split_once('T') {
            Some((d, t)) => (d, Some(t.trim_end_matches('Z'))),
            None => (text, None),
        };
        let mut parts = date.split('-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        let (mut h, mut m, mut s, mut ms) = (0u64, 0u64, 0u64, 0u64);
        if let Some(time) = time {
            let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
            let mut t = hms.split(':');
            h = t.next()?.parse().ok()?;
            m = t.next().unwrap_or("0").parse().ok()?;
            s = t.next().unwrap_or("0").parse().ok()?;
            if !frac.is_empty() {
                let digits: String = frac.chars().take(3).collect();
                ms = format!("{digits:0<3}").parse().ok()?;
            }
            if h > 23 || m > 59 || s > 60 {
                return None;
            }
        }
        let days = days_from_civil(year, month, day);
        let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + s;
        Some(Instant {
            millis: secs * 1000 + ms,
        })
    }
}

/// Parses `--since`: a duration back from now (`90s`, `30m`, `2h`, `7d`) or a UTC date or
/// time (`2026-12-04`, `2026-12-04T10:00:00Z`).
pub fn since(text: &str, now: Instant) -> Result<Instant, String> {
    let t = text.trim();
    let unit = t.chars().last().unwrap_or(' ');
    let number = t.get(..t.len().saturating_sub(1)).unwrap_or_default();
    if let (Some(secs), Ok(n)) = (
        match unit {
            's' => Some(1u64),
            'm' => Some(60),
            'h' => Some(3600),
            'd' => Some(86_400),
            'w' => Some(7 * 86_400),
            _ => None,
        },
        number.parse::<u64>(),
    ) {
        return Ok(now.minus(Duration::from_secs(n.saturating_mul(secs))));
    }
    Instant::parse(t).ok_or_else(|| {
        format!("`--since {text}` is not a duration or a date: use e.g. 30m, 2h, 7d or 2026-12-04")
    })
}

/// Days since 1970-01-01 → (year, month, day). Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// (year, month, day) → days since 1970-01-01. Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0, "1970-01-01T00:00:00.000Z")]
    #[case(951_782_400_000, "2000-02-29T00:00:00.000Z")]
    #[case(1_796_415_502_123, "2026-12-04T20:18:22.123Z")]
    fn formats_utc(#[case] millis: u64, #[case] text: &str) {
        let t = Instant { millis };
        assert_eq!(t.rfc3339(), text);
        assert_eq!(Instant::parse(text), Some(t));
    }

    #[test]
    fn day_and_compact_agree() {
        let t = Instant {
            millis: 1_796_415_502_123,
        };
        assert_eq!(t.day(), "2026-12-04");
        assert_eq!(t.compact(), "20261204-201822");
    }

    #[rstest]
    #[case("2h", 7_200_000)]
    #[case("30m", 1_800_000)]
    #[case("7d", 604_800_000)]
    fn since_durations(#[case] text: &str, #[case] back: u64) {
        let now = Instant {
            millis: 1_796_415_502_123,
        };
        assert_eq!(since(text, now).unwrap().millis, now.millis - back);
    }

    #[test]
    fn since_rejects_nonsense() {
        let now = Instant::now();
        assert!(since("yesterday", now).is_err());
        assert!(since("2026-13-01", now).is_err());
        assert_eq!(
            since("2026-12-04", now).unwrap().rfc3339(),
            "2026-12-04T00:00:00.000Z"
        );
    }
}
