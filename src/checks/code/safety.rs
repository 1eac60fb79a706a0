//! SAFETY comments as clippy reads them (`undocumented_unsafe_blocks`): comments are not in
//! syn's tree, so they are read from the source lines above the block, its statement or its item.

/// clippy's `undocumented_unsafe_blocks` convention: the nearest non-blank, non-attribute lines
/// above `line` (and below `floor`) are `//` comments one of which says `SAFETY:`, or a block
/// comment saying it followed only by whitespace, or the line just above ends in a comment that
/// starts with `SAFETY:`.
pub fn safety_comment_above(lines: &[&str], line: usize, floor: usize) -> bool {
    let mut above = (floor + 1..line).rev().filter_map(|number| {
        let text = lines.get(number - 1)?.trim_start();
        let attribute =
            (text.starts_with("#[") || text.starts_with("#![")) && text.trim_end().ends_with(']');
        (!text.is_empty() && !attribute).then_some((number, text))
    });
    let Some((nearest_line, nearest)) = above.next() else {
        return false;
    };
    if nearest.starts_with("//") {
        let mut in_code_block = false;
        let mut text = nearest;
        loop {
            if let Some(doc) = text
                .strip_prefix("///")
                .or_else(|| text.strip_prefix("//!"))
            {
                if doc.trim_start().starts_with("```") {
                    in_code_block = !in_code_block;
                }
            }
            if !in_code_block && text.to_ascii_uppercase().contains("SAFETY:") {
                return true;
            }
            match above.next() {
                Some((_, next)) if next.starts_with("//") => text = next,
                _ => return false,
            }
        }
    }
    // `let p = …; // SAFETY: …` on the line just above.
    let marker = [nearest.find("//"), nearest.find("/*")]
        .into_iter()
        .flatten()
        .min();
    if let Some(at) = marker {
        let after = nearest[at + 2..].trim_start();
        if after
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("SAFETY:"))
        {
            return true;
        }
    }
    // A block comment starting a line, with only whitespace after it up to `line`.
    let mut candidate = Some((nearest_line, nearest));
    while let Some((start_line, text)) = candidate {
        if text.starts_with("/*") {
            let rest: Vec<&str> = (start_line..line)
                .filter_map(|n| lines.get(n - 1).copied())
                .collect();
            let joined = rest.join("\n");
            let joined = joined.trim_start();
            let Some(end) = block_comment_end(joined) else {
                return false;
            };
            return joined[..end].to_ascii_uppercase().contains("SAFETY:")
                && joined[end..].trim().is_empty();
        }
        candidate = above.next();
    }
    false
}

/// The byte just past the block comment `text` starts with (they nest in Rust).
fn block_comment_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth = depth.checked_sub(1)?;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// `unsafe { // SAFETY: …`: a comment opening the block.
pub(super) fn comment_opens_block(lines: &[&str], block: &syn::ExprUnsafe) -> bool {
    let open = block.block.brace_token.span.open().start();
    let Some(line) = lines.get(open.line.wrapping_sub(1)) else {
        return false;
    };
    let after: String = line.chars().skip(open.column + 1).collect();
    let mut rest = after.trim_start().to_owned();
    if rest.is_empty() {
        // The comment may start the next line.
        rest = lines
            .get(open.line)
            .map_or(String::new(), |l| l.trim_start().to_owned());
    }
    rest.strip_prefix("//")
        .or_else(|| rest.strip_prefix("/*"))
        .is_some_and(|comment| {
            comment
                .trim_start()
                .to_ascii_uppercase()
                .starts_with("SAFETY:")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&str> {
        text.lines().collect()
    }

    #[test]
    fn safety_comment_runs_and_blank_lines() {
        let text = "fn f() {\n    // a note\n    // SAFETY: ok\n\n    unsafe {}\n}";
        assert!(safety_comment_above(&lines(text), 5, 1));
        let text = "fn f() {\n    // SAFETY ok without colon\n    unsafe {}\n}";
        assert!(!safety_comment_above(&lines(text), 3, 1));
    }

    #[test]
    fn block_comments_need_only_whitespace_after() {
        let text = "fn f() {\n    /* SAFETY: fine\n       still fine */\n    unsafe {}\n}";
        assert!(safety_comment_above(&lines(text), 4, 1));
        let text = "fn f() {\n    /* SAFETY: fine */\n    let x = 1;\n    unsafe {}\n}";
        assert!(!safety_comment_above(&lines(text), 4, 1));
    }

    #[test]
    fn the_floor_hides_comments_above_the_function() {
        let text = "// SAFETY: about the function\nfn f() { unsafe {} }";
        assert!(!safety_comment_above(&lines(text), 2, 2));
    }
}
