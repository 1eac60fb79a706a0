//! Calendar dates for due-date arithmetic: parsing `YYYY-MM-DD`, adding calendar or business days,
//! and days between two dates. A day count since 1970-01-01 is all the policy needs, so this is a
//! small civil-calendar conversion rather than a date-time library.

use std::fmt;

/// A proleptic Gregorian date, stored as days since 1970-01-01 (negative before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Strictly `YYYY-MM-DD`, as RustSec, git and `--today` write dates.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        Date::from_ymd(i64::from(number(0..4)?), number(5..7)?, number(8..10)?)
    }

    /// The UTC date of a Unix timestamp (git's commit times).
    pub fn from_unix_seconds(seconds: i64) -> Date {
        Date(seconds.div_euclid(86_400))
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Date::from_unix_seconds(seconds)
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }

    pub fn add_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// `self - earlier` in calendar days.
    pub fn days_since(self, earlier: Date) -> i64 {
        self.0 - earlier.0
    }

    /// Monday is 0, Sunday is 6.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (self.0 + 3).rem_euclid(7) as u32
    }

    pub fn is_weekend(self) -> bool {
        self.weekday() >= 5
    }

    /// The date `days` business days after `self`, skipping Saturdays and Sundays: counting starts
    /// on the next business day, so a clock that starts on a Friday with 1 day to go is due on
    /// Monday.
    pub fn add_business_days(self, days: u32) -> Date {
        if days == 0 {
            return self;
        }
        // From a weekend day, counting goes as from the Friday before it; from a business day,
        // every 7 calendar days are exactly 5 business days.
        let mut date = if self.is_weekend() {
            self.add_days(4 - i64::from(self.weekday()))
        } else {
            self
        };
        date = date.add_days(i64::from(days / 5) * 7);
        let mut left = days % 5;
        while left > 0 {
            date = date.add_days(1);
            if !date.is_weekend() {
                left -= 1;
            }
        }
        date
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms), with eras of
// 400 years so leap rules need no special cases.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::Date;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn round_trips_and_rejects_bad_dates() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "2024-02-29",
            "2026-11-22",
            "1969-12-31",
            "2100-03-01",
        ] {
            assert_eq!(d(text).to_string(), text);
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2100-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-1-01",
            "26-01-01",
            "2026-01-0a",
            "+026-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(d("1970-01-01"), Date::from_unix_seconds(0));
        assert_eq!(d("1969-12-31"), Date::from_unix_seconds(-1));
    }

    #[test]
    fn calendar_days_cross_leap_days() {
        assert_eq!(d("2024-02-20").add_days(10), d("2024-03-01"));
        assert_eq!(d("2023-02-20").add_days(10), d("2023-03-02"));
        assert_eq!(d("2000-02-28").add_days(1), d("2000-02-29"));
        assert_eq!(d("1900-02-28").add_days(1), d("1900-03-01"));
        assert_eq!(d("2024-12-31").days_since(d("2024-01-01")), 365);
        assert_eq!(d("2023-12-31").days_since(d("2023-01-01")), 364);
        assert_eq!(d("2026-11-22").add_days(175), d("2027-05-16"));
    }

    #[test]
    fn weekdays() {
        assert_eq!(d("2026-11-22").weekday(), 6, "a Sunday");
        assert_eq!(d("2026-11-23").weekday(), 0, "a Monday");
        assert_eq!(d("2024-02-29").weekday(), 3, "a Thursday");
    }

    #[test]
    fn business_days_skip_weekends() {
        // Monday + 5 business days = next Monday.
        assert_eq!(d("2026-11-23").add_business_days(5), d("2026-11-30"));
        // Friday + 1 = Monday.
        assert_eq!(d("2026-11-27").add_business_days(1), d("2026-11-30"));
        // Saturday + 1 = Monday; Saturday + 5 = Friday.
        assert_eq!(d("2026-11-28").add_business_days(1), d("2026-11-30"));
        assert_eq!(d("2026-11-28").add_business_days(5), d("2026-12-04"));
        // Sunday + 10 = the Friday two weeks on.
        assert_eq!(d("2026-11-22").add_business_days(10), d("2026-12-04"));
        // Wednesday + 3 = Monday.
        assert_eq!(d("2026-11-25").add_business_days(3), d("2026-11-30"));
        // Across a leap day: Thursday 2024-02-29 + 1 = Friday 2024-03-01.
        assert_eq!(d("2024-02-29").add_business_days(1), d("2024-03-01"));
        assert_eq!(d("2024-02-28").add_business_days(2), d("2024-03-01"));
        // Zero days: the start itself.
        assert_eq!(d("2026-11-28").add_business_days(0), d("2026-11-28"));
    }

    #[test]
    fn business_days_agree_with_walking_day_by_day() {
        let start = d("2023-12-20");
        for offset in 0..14 {
            let from = start.add_days(offset);
            for n in 0..40u32 {
                let mut walked = from;
                let mut left = n;
                while left > 0 {
                    walked = walked.add_days(1);
                    if !walked.is_weekend() {
                        left -= 1;
                    }
                }
                assert_eq!(from.add_business_days(n), walked, "{from} + {n}");
            }
        }
    }
}
