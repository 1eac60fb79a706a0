//! A source file's bytes as text. Secrets turn up in files that are not UTF-8: PowerShell and
//! Visual Studio write UTF-16 (`.ps1`, `appsettings.json`), and old `.env` and `.properties`
//! files hold a Latin-1 byte or two. Counting those as binary would skip them without a word,
//! so UTF-16 is decoded (by its byte-order mark, or by the zero bytes of ASCII text in it), and
//! other text that is not valid UTF-8 is read with the bad bytes replaced: lines stay where they
//! are, and only a column after a replaced byte can be off. A file is binary only when it has
//! zero bytes and is not UTF-16.

/// How much of the start of a file decides whether it is binary or UTF-16.
const SNIFF: usize = 8192;

/// The file's text, or `None` for a binary file.
pub fn decode(bytes: Vec<u8>) -> Option<String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Some(utf8_lossy(rest.to_vec()));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Some(utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Some(utf16(rest, u16::from_be_bytes));
    }
    let head = &bytes[..bytes.len().min(SNIFF)];
    if !head.contains(&0) {
        return Some(utf8_lossy(bytes));
    }
    match ascii_utf16(head) {
        Some(Endian::Little) => Some(utf16(&bytes, u16::from_le_bytes)),
        Some(Endian::Big) => Some(utf16(&bytes, u16::from_be_bytes)),
        None => None,
    }
}

enum Endian {
    Little,
    Big,
}

/// UTF-16 without a byte-order mark, told by its shape: ASCII characters are a zero byte and a
/// non-zero one, so one half of the byte positions is all zeros and the other half has none.
fn ascii_utf16(head: &[u8]) -> Option<Endian> {
    if head.len() < 4 || !head.len().is_multiple_of(2) {
        return None;
    }
    let (mut even_zeros, mut odd_zeros) = (0, 0);
    for pair in head.chunks_exact(2) {
        even_zeros += usize::from(pair[0] == 0);
        odd_zeros += usize::from(pair[1] == 0);
    }
    let pairs = head.len() / 2;
    match (even_zeros, odd_zeros) {
        (0, odd) if odd == pairs => Some(Endian::Little),
        (even, 0) if even == pairs => Some(Endian::Big),
        _ => None,
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

fn utf8_lossy(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    #[test]
    fn utf16_is_text_with_or_without_a_byte_order_mark() {
        let text = "TOKEN=ghp_abc\r\nname=café\r\n";
        assert_eq!(decode(utf16le(text, true)).as_deref(), Some(text));
        assert_eq!(
            decode(utf16le("TOKEN=ghp_abc\r\n", false)).as_deref(),
            Some("TOKEN=ghp_abc\r\n")
        );
        let mut big = vec![0xFE, 0xFF];
        big.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(big).as_deref(), Some(text));
    }

    #[test]
    fn invalid_utf8_keeps_its_lines() {
        let text = decode(b"name=caf\xE9\nTOKEN=ghp_abc\n".to_vec()).expect("text");
        assert_eq!(text.lines().nth(1), Some("TOKEN=ghp_abc"));
    }

    #[test]
    fn zero_bytes_that_are_not_utf16_are_binary() {
        assert_eq!(decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()), None);
        assert_eq!(
            decode(b"\xEF\xBB\xBFfn main() {}".to_vec()).as_deref(),
            Some("fn main() {}")
        );
    }
}
