//! Names as the secrets rules read them: split into words (`DB_PASSWORD`, `dbPassword` and
//! `db-password` are the same name) and matched by their last path segments.

/// A name split into lowercase words: `DB_PASSWORD`, `dbPassword`, `db-password` and
/// `X-Api-Key` become `[db, password]` and `[x, api, key]`. `APIKey` splits before `Key`.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a called path (`std::string::String::from`) ends with `path` (`String::from`).
pub fn ends_with_path(callee: &[String], path: &[String]) -> bool {
    callee.len() >= path.len() && callee[callee.len() - path.len()..] == *path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("githubToken2"), ["github", "token2"]);
        assert_eq!(words("client.secret"), ["client", "secret"]);
    }
}
