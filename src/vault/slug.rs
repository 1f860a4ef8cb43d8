//! Safe folder names from titles: ASCII, lowercase, no separators, bounded length.

/// Longest slug; keeps paths well under file-system limits.
const MAX_SLUG: usize = 60;

/// `"K3s: node IP changed / DNS ../loop"` -> `"k3s-node-ip-changed-dns-loop"`.
/// A long title is cut after a whole word, unless that would drop more than half.
pub fn slugify(title: &str) -> String {
    let ascii = deunicode::deunicode(title);
    let mut slug = String::with_capacity(ascii.len());
    let mut cut_mid_word = false;
    for c in ascii.chars() {
        let word = c.is_ascii_alphanumeric();
        if slug.len() >= MAX_SLUG {
            cut_mid_word = word && !slug.ends_with('-');
            break;
        }
        if word {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if cut_mid_word && let Some(end) = slug.rfind('-').filter(|&i| i >= MAX_SLUG / 2) {
        slug.truncate(end);
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "incident".to_string() } else { slug.to_string() }
}

/// A file's name as `incident attach` stores it (after the step id): `k3s.service` stays;
/// odd names get slugged (`my lease.PNG` → `my-lease.png`).
pub fn file_name(name: &str) -> String {
    let path = std::path::Path::new(name);
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|s| slugify(&s.to_string_lossy())).unwrap_or_default();
    let stem = slugify(&stem);
    if ext.is_empty() { stem } else { format!("{stem}.{ext}") }
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
        // Cut after a whole word: "kubernetes" is not left as "kuber".
        let long = "CoreDNS forwarding loop after the node address changed on the kubernetes control plane";
        assert_eq!(slugify(long), "coredns-forwarding-loop-after-the-node-address-changed-on");
        assert_eq!(slugify(&format!("{} tail", "a".repeat(70))), "a".repeat(60));
    }
}
