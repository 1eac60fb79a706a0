//! TOML input: settings files, policy files and the embedded rules files, read with serde and
//! `deny_unknown_fields`, with errors that name the file, line and column and suggest the key that
//! was probably meant.
//!
//! A settings file is one [`SettingsDoc`]; each part of the program reads its own section of it
//! ([`SettingsDoc::section`]), so a check's settings live in the check's folder and the file is
//! still checked as a whole (unknown sections are errors too).

use crate::error::{line_col, one_line, Error, Result};
use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// A settings, policy or manifest file: a regular file of reasonable size.
pub fn read(path: &Path) -> Result<String> {
    crate::read::read_text_capped(path, crate::read::caps::MANIFEST).map_err(|err| Error::Read {
        path: path.to_path_buf(),
        source: err.into(),
    })
}

/// Deserializes TOML, turning serde's errors into `file:line:column: message` with a "did you
/// mean" for unknown keys.
pub fn from_toml<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    toml::from_str(text).map_err(|err| toml_error(err, text, path))
}

fn toml_error(err: toml::de::Error, text: &str, path: &Path) -> Error {
    let offset = err.span().map_or(0, |span| span.start);
    error_at(text, path, offset, explain(err.message()))
}

/// An error at byte `offset` of `text`.
pub fn error_at(text: &str, path: &Path, offset: usize, message: String) -> Error {
    let (line, column) = line_col(text, offset);
    Error::Config {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Serde's messages, made lowercase-friendly and given a "did you mean" where a key is unknown.
fn explain(message: &str) -> String {
    let message = &one_line(message);
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.starts_with("unknown field") {
        if let Some((unknown, expected)) = quoted.split_first() {
            return unknown_key(unknown, expected);
        }
    }
    if message.starts_with("missing field") {
        if let Some(field) = quoted.first() {
            if *field == "reason" {
                return "missing key `reason`; every [[ignore]] needs one saying why the finding is accepted".to_owned();
            }
            return format!("missing key `{field}`");
        }
    }
    // serde names our internal structs ("expected struct RawSecrets"); users wrote a table.
    if let Some((found, _)) = message.split_once(", expected struct Raw") {
        return format!("{found}, expected a table of settings (`[section]`)");
    }
    message.to_owned()
}

/// "unknown key `x`; did you mean `y`?", or the keys that are allowed.
pub fn unknown_key(unknown: &str, expected: &[&str]) -> String {
    match closest(unknown, expected) {
        Some(best) => format!("unknown key `{unknown}`; did you mean `{best}`?"),
        None => format!(
            "unknown key `{unknown}`; expected one of {}",
            expected
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The candidate a mistyped name most likely meant, if any is close enough.
pub fn closest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// A settings file: `warden.toml`, or the `[workspace.metadata.warden]` or
/// `[package.metadata.warden]` table of a Cargo.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsDoc {
    pub path: PathBuf,
    pub text: String,
    /// Where the settings table sits: empty for a whole warden.toml.
    pub table: &'static [&'static str],
}

impl SettingsDoc {
    /// `[name]` of the settings table, if present, deserialized as `T` (errors point into the
    /// file, as for any TOML input).
    pub fn section<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        let mut path: Vec<&str> = self.table.to_vec();
        path.push(name);
        self.pick::<T>(&path)
    }

    /// The keys of the settings table, with the byte offset each is written at, in file order.
    pub fn keys(&self) -> Result<Vec<(String, usize)>> {
        Ok(self
            .pick::<Keys>(self.table)?
            .map_or_else(Vec::new, |keys| keys.0))
    }

    /// Where the settings table starts, when the file has one (a Cargo.toml may not).
    pub fn table_offset(&self) -> Result<Option<usize>> {
        Ok(self
            .pick::<toml::Spanned<IgnoredAny>>(self.table)?
            .map(|table| table.span().start))
    }

    /// An error at byte `offset` of this file.
    pub fn error_at(&self, offset: usize, message: String) -> Error {
        error_at(&self.text, &self.path, offset, message)
    }

    fn pick<T: DeserializeOwned>(&self, path: &[&str]) -> Result<Option<T>> {
        let deserializer = toml::Deserializer::parse(&self.text)
            .map_err(|err| toml_error(err, &self.text, &self.path))?;
        Pick::<T> {
            path,
            found: PhantomData,
        }
        .deserialize(deserializer)
        .map_err(|err| toml_error(err, &self.text, &self.path))
    }
}

/// Deserializes the value at `path` of nested tables, skipping everything else, inside the one
/// TOML deserializer so that errors keep their positions.
struct Pick<'p, T> {
    path: &'p [&'p str],
    found: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Pick<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        match self.path.split_first() {
            None => T::deserialize(deserializer).map(Some),
            Some((key, rest)) => deserializer.deserialize_map(PickVisitor::<T> {
                key,
                rest,
                found: PhantomData,
            }),
        }
    }
}

struct PickVisitor<'p, T> {
    key: &'p str,
    rest: &'p [&'p str],
    found: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for PickVisitor<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a table of settings (`[section]`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key {
                found = map.next_value_seed(Pick::<T> {
                    path: self.rest,
                    found: PhantomData,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A table's keys and where each is written.
struct Keys(Vec<(String, usize)>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Keys, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = Keys;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of settings (`[section]`)")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<toml::Spanned<String>>()? {
                    map.next_value::<IgnoredAny>()?;
                    let offset = key.span().start;
                    keys.push((key.into_inner(), offset));
                }
                Ok(Keys(keys))
            }
        }
        deserializer.deserialize_map(KeysVisitor)
    }
}

/// `1048576`, `"512 KiB"`, `"2 MiB"`, `"1MB"`: a size in bytes.
pub fn parse_size(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok(),
        toml::Value::String(text) => {
            let text = text.trim();
            let split = text
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len());
            let number: u64 = text[..split].parse().ok()?;
            let unit = text[split..].trim().to_ascii_lowercase();
            let scale: u64 = match unit.as_str() {
                "" | "b" => 1,
                "k" | "kb" => 1000,
                "kib" => 1024,
                "m" | "mb" => 1000 * 1000,
                "mib" => 1024 * 1024,
                "g" | "gb" => 1000 * 1000 * 1000,
                "gib" => 1024 * 1024 * 1024,
                _ => return None,
            };
            number.checked_mul(scale)
        }
        _ => None,
    }
}

/// `` `a`, `b` ``: names for messages.
pub fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str, table: &'static [&'static str]) -> SettingsDoc {
        SettingsDoc {
            path: PathBuf::from("f.toml"),
            text: text.to_owned(),
            table,
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        a: u32,
    }

    #[test]
    fn a_section_is_read_where_the_table_is_and_keeps_error_positions() {
        let top = doc("[x]\na = 1\n[y]\nb = 2\n", &[]);
        assert_eq!(top.section::<Raw>("x").unwrap(), Some(Raw { a: 1 }));
        assert_eq!(top.section::<Raw>("z").unwrap(), None);
        let err = top.section::<Raw>("y").unwrap_err().to_string();
        assert_eq!(err, "f.toml:4:1: unknown key `b`; expected one of `a`");
        let nested = doc(
            "[package]\nname = \"p\"\n[package.metadata.warden.x]\na = 2\n",
            &["package", "metadata", "warden"],
        );
        assert_eq!(nested.section::<Raw>("x").unwrap(), Some(Raw { a: 2 }));
        assert_eq!(
            nested.keys().unwrap(),
            [(
                "x".to_owned(),
                "[package]\nname = \"p\"\n[package.metadata.warden.".len()
            )]
        );
    }

    #[test]
    fn sizes_take_units() {
        let s = |t: &str| parse_size(&toml::Value::String(t.into()));
        assert_eq!(s("2 MiB"), Some(2 * 1024 * 1024));
        assert_eq!(s("1MB"), Some(1_000_000));
        assert_eq!(s("lots"), None);
        assert_eq!(parse_size(&toml::Value::Integer(10)), Some(10));
    }
}
