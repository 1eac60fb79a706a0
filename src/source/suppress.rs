//! Suppression comments: `// warden:allow(rule-id, …)` on a flagged line, or alone on the line
//! above it, silences those rules there; a check's name (`secret`, `code`) silences all of its
//! rules. Every source check reads the same comments.

/// `// warden:allow(secret)` or `# warden:allow(<rule-id>, …)` on the line, or alone on the
/// line above (a trailing comment on the line above is about that line). `aliases` name the
/// whole check (`secret`, `code`).
pub fn suppressed(lines: &[&str], line: usize, rule: &str, aliases: &[&str]) -> bool {
    let allows = |text: &str| {
        let mut rest = text;
        while let Some(at) = rest.find("warden:allow(") {
            let after = &rest[at + "warden:allow(".len()..];
            let Some(end) = after.find(')') else {
                return false;
            };
            if after[..end]
                .split(',')
                .map(str::trim)
                .any(|id| id == rule || aliases.contains(&id))
            {
                return true;
            }
            rest = &after[end..];
        }
        false
    };
    let current = line.checked_sub(1).and_then(|i| lines.get(i));
    let above = line.checked_sub(2).and_then(|i| lines.get(i));
    let comment_only = |l: &str| {
        let l = l.trim_start();
        l.starts_with("//") || l.starts_with('#') || l.starts_with("/*") || l.starts_with(';')
    };
    current.is_some_and(|l| allows(l)) || above.is_some_and(|l| comment_only(l) && allows(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_reads_the_line_and_the_one_above() {
        let lines = [
            "// warden:allow(secret)",
            "let a = 1;",
            "let b = 2; // warden:allow(github-token, jwt)",
            "let c = 3;",
        ];
        let secret = &["secret", "secrets"];
        assert!(suppressed(&lines, 2, "hardcoded-secret", secret));
        assert!(suppressed(&lines, 3, "jwt", secret));
        assert!(!suppressed(&lines, 3, "hardcoded-secret", secret));
        // A trailing allow on the line above belongs to that line.
        assert!(!suppressed(&lines, 4, "jwt", secret));
        assert!(!suppressed(&lines, 11, "jwt", secret));
        // A check's name allows only that check's rules.
        assert!(!suppressed(&lines, 2, "static-mut", &["code"]));
    }
}
