//! Safe folder names from titles: ASCII, lowercase, no separators, bounded length.

/// Longest slug; keeps paths well under file-system limits.
const MAX_SLUG: usize = 60;

/// `"K3s: node IP changed / DNS ../loop"` -> `"k3s-node-ip-changed-dns-loop"`.
pub fn slugify(title: &str) -> String {
    let ascii = deunicode::deunicode(title);
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= MAX_SLUG {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "incident".to_string() } else { slug.to_string() }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_stay_inside_the_vault() {
        assert_eq!(slugify("K3s: node IP changed"), "k3s-node-ip-changed");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("/abs/path"), "abs-path");
        assert_eq!(slugify("a\0b\nc\x1b[31m"), "a-b-c-31m");
        assert_eq!(slugify("Ünïcödé — 東京"), "unicode-dong-jing");
        assert_eq!(slugify("...."), "incident");
        assert_eq!(slugify(""), "incident");
        assert_eq!(slugify(&"x".repeat(500)).len(), 60);
        assert!(!slugify(&"ab-".repeat(100)).ends_with('-'));
    }
}
