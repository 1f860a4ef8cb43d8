//! The last part of a step id, `<sequence><random>`: four characters of the writer's
//! millisecond clock, then two random ones. Steps that tie on `at` and `recorded_at` (a
//! pinned `INCIDENT_NOW`, or one command writing two steps) keep the order they were
//! written in, and the kind's name never decides it.

use std::cmp::Ordering;

use super::Step;

/// Lowercase letters and digits without look-alikes (no i, l, o, u), in ASCII order:
/// a sequence written with them sorts as text the way it does as a number.
pub const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

const SEQUENCE_CHARS: usize = 4;
const RANDOM_CHARS: usize = 2;

/// The sequence is milliseconds modulo this (20 bits): it comes round every 17.5 minutes.
pub const SEQUENCE_PERIOD: u64 = 1 << (5 * SEQUENCE_CHARS);

/// `k7f3q9`: `millis` (modulo [`SEQUENCE_PERIOD`]) in four characters, then two random ones.
pub fn suffix(millis: u64, random: [u8; RANDOM_CHARS]) -> String {
    let seq = millis % SEQUENCE_PERIOD;
    let seq_chars = (0..SEQUENCE_CHARS).rev().map(|i| ALPHABET[((seq >> (5 * i)) & 31) as usize]);
    let random_chars = random.iter().map(|b| ALPHABET[(b & 31) as usize]);
    seq_chars.chain(random_chars).map(char::from).collect()
}

/// The sequence in an id's last part, when that is six characters of [`ALPHABET`]. An id
/// written before sequences (six random characters) reads as a sequence too: a random
/// one, which still orders its ties the same way on every load.
pub fn sequence(id: &str) -> Option<u64> {
    let last = id.rsplit('-').next()?;
    if last.len() != SEQUENCE_CHARS + RANDOM_CHARS || !last.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    last.bytes().take(SEQUENCE_CHARS).try_fold(0u64, |n, b| {
        let digit = ALPHABET.iter().position(|&a| a == b)? as u64;
        Some(n << 5 | digit)
    })
}

/// Orders steps that tie on `at` and `recorded_at`: by sequence (then the id's last part,
/// then the id), ids without one after, by id.
pub fn cmp_ties(a: &str, b: &str) -> Ordering {
    fn key(id: &str) -> (bool, Option<&str>) {
        let seq = sequence(id);
        (seq.is_none(), seq.map(|_| id.rsplit('-').next().unwrap_or(id)))
    }
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// Within a group of tied steps sorted by [`cmp_ties`]: the sequence comes round every
/// [`SEQUENCE_PERIOD`], so the group starts after its widest gap between sequences rather
/// than at the smallest number. Right whenever the group was written within half a period
/// (8.7 minutes), and the same order on every load whatever the files.
pub fn start_after_widest_gap(group: &mut [Step]) {
    let seqs: Vec<u64> = group.iter().map_while(|s| sequence(&s.meta.id)).collect();
    let (Some(&first), Some(&last)) = (seqs.first(), seqs.last()) else { return };
    let wrap = first + SEQUENCE_PERIOD - last;
    let widest =
        seqs.windows(2).enumerate().map(|(i, w)| (w[1] - w[0], i)).max_by_key(|&(gap, i)| (gap, usize::MAX - i));
    if let Some((gap, i)) = widest
        && gap > wrap
    {
        group[..seqs.len()].rotate_left(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str) -> Step {
        let at = chrono::DateTime::parse_from_rfc3339("2025-10-04T08:23:00Z").unwrap();
        Step {
            meta: crate::model::StepMeta::new(id.to_string(), crate::model::StepKind::Note, at, at),
            body: String::new(),
        }
    }

    fn ordered(ids: &[&str]) -> Vec<String> {
        let mut steps: Vec<Step> = ids.iter().map(|id| step(id)).collect();
        crate::model::sort_timeline(&mut steps);
        steps.into_iter().map(|s| s.meta.id).collect()
    }

    #[test]
    fn a_suffix_sorts_as_its_milliseconds_and_reads_back() {
        let ids: Vec<String> = [0, 1, 31, 32, 1023, 1024, SEQUENCE_PERIOD - 1]
            .iter()
            .map(|&ms| format!("20251004T082300Z-note-{}", suffix(ms, [255, 0])))
            .collect();
        assert_eq!(ids[0], "20251004T082300Z-note-0000z0");
        assert_eq!(ids[6], "20251004T082300Z-note-zzzzz0");
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        assert_eq!(
            ids.iter().map(|id| sequence(id).unwrap()).collect::<Vec<_>>(),
            [0, 1, 31, 32, 1023, 1024, SEQUENCE_PERIOD - 1]
        );
        assert_eq!(suffix(SEQUENCE_PERIOD + 5, [1, 2]), suffix(5, [1, 2]));
        // A hand-made name has no sequence; `i` is not in the alphabet.
        assert_eq!(sequence("my-note"), None);
        assert_eq!(sequence("20251004T082300Z-note-k7f3i9"), None);
        assert_eq!(sequence("20251004T082300Z-note-k7f3q"), None);
    }

    #[test]
    fn ties_keep_writing_order_whatever_the_kind_and_across_the_wrap() {
        let id = |kind: &str, ms: u64| format!("20251004T082300Z-{kind}-{}", suffix(ms, [7, 7]));
        let written = [id("option", 100), id("option", 130), id("decision", 180), id("note", 200)];
        let refs: Vec<&str> = written.iter().map(String::as_str).collect();
        assert_eq!(ordered(&[refs[3], refs[2], refs[1], refs[0]]), written);
        // Written across the wrap: 17.5 minutes' worth of milliseconds came round.
        let wrapped = [id("option", SEQUENCE_PERIOD - 40), id("decision", SEQUENCE_PERIOD - 3), id("note", 20)];
        let refs: Vec<&str> = wrapped.iter().map(String::as_str).collect();
        assert_eq!(ordered(&[refs[2], refs[0], refs[1]]), wrapped);
    }

    #[test]
    fn old_random_ids_and_hand_made_names_sort_the_same_on_every_load() {
        let ids = [
            "20251004T082300Z-note-zk3m9q",
            "20251004T082300Z-decision-4hx0aa",
            "my-note",
            "20251004T082300Z-option-0b2c3d",
        ];
        let first = ordered(&ids);
        assert_eq!(first.last().unwrap(), "my-note", "{first:?}");
        for turn in 1..ids.len() {
            let mut turned = ids;
            turned.rotate_left(turn);
            assert_eq!(ordered(&turned), first);
        }
    }
}
