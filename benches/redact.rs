//! Redaction throughput and the cost of `incident note`'s path, in release mode:
//!
//! ```sh
//! cargo test --release --bench redact -- --ignored --nocapture --test-threads 1
//! ```
//!
//! Ignored tests (not `#[bench]`, which needs nightly), so plain `cargo test` skips them.

use std::time::{Duration, Instant};

use incident::redact::{Numbering, RedactConfig, Redactor, Rules};

/// Deterministic log lines as a k3s node prints them, with a keyword on some lines and a
/// real-looking secret on a few (1 in 400).
fn sample(lines: usize) -> String {
    const PLAIN: &[&str] = &[
        "Oct 05 08:05:02 node1 k3s[1042]: E1005 08:05:02.902113    1042 pod_workers.go:1301] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"coredns\\\" with CrashLoopBackOff\" pod=\"kube-system/coredns-ccb96694c-4dnmx\"",
        "Oct 05 08:05:10 node1 k3s[1042]: I1005 08:05:10.000001    1042 subnet.go:152] flannel: lease acquired: 10.42.0.0/24",
        "2025-10-05T08:06:00.118Z INFO  api  GET /v1/items?limit=50 200 12.3ms request_id=550e8400-e29b-41d4-a716-446655440000",
        "{\"level\":\"info\",\"ts\":\"2025-10-05T08:06:01Z\",\"msg\":\"reconciled\",\"controller\":\"deployment\",\"namespace\":\"prod\",\"name\":\"api\",\"duration\":0.0123}",
        "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
        "10.42.1.37 - - [05/Oct/2025:08:06:02 +0000] \"GET /healthz HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.31\"",
        "Oct 05 08:06:03 node2 kernel: [12345.678901] cni0: port 3(veth9f2c4e1a) entered forwarding state",
        "time=\"2025-10-05T08:06:04Z\" level=info msg=\"Tunnel authorizer set Kubelet Port 10250\"",
    ];
    const KEYWORDS: &[&str] = &[
        "Oct 05 08:06:05 node1 k3s[1042]: time=\"2025-10-05T08:06:05Z\" level=info msg=\"Node token is available at /var/lib/rancher/k3s/server/token\"",
        "2025-10-05T08:06:06Z WARN auth: password authentication failed for user \"app\" from 10.42.1.37",
        "E1005 08:06:07.118012    1042 authentication.go:73] \"Unable to authenticate the request\" err=\"invalid bearer token\"",
        "2025-10-05T08:06:08Z INFO connecting to postgres://db.prod.svc:5432/app?sslmode=require",
    ];
    const SECRETS: &[&str] = &[
        "2025-10-05T08:06:09Z DEBUG outgoing request Authorization: Bearer QQuAjaLIjH__DKW3GRGfGCDS0spi2Bu9TcVoAbVM45P",
        "2025-10-05T08:06:10Z INFO connecting to postgres://app:pg-0vS1b7XKq2LwTz9@db.prod.svc:5432/app",
        "2025-10-05T08:06:11Z DEBUG env GITHUB_TOKEN=ghp_WfBf2CjKYQvhJpBtdGgdTJJ9Sd3tECTU5voF",
    ];
    let mut out = String::with_capacity(lines * 130);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..lines {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let line = if i % 400 == 399 {
            SECRETS[(x % SECRETS.len() as u64) as usize]
        } else if i % 20 == 19 {
            KEYWORDS[(x % KEYWORDS.len() as u64) as usize]
        } else {
            PLAIN[(x % PLAIN.len() as u64) as usize]
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn mb_per_s(bytes: usize, took: Duration) -> f64 {
    bytes as f64 / 1e6 / took.as_secs_f64()
}

/// CPU time of this thread: on a shared, loaded machine it says more than the wall clock.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Streams `total` bytes of `sample` line by line through `push_line`, writing output to a
/// buffer that is emptied as it would be written to a file.
fn stream(rules: &Rules, sample: &str, total: usize) -> (Duration, u64) {
    let mut r = Redactor::new(rules, Numbering::with_key([7; 32]));
    let mut out = String::with_capacity(1 << 20);
    let mut fed = 0;
    let start = cpu_time();
    while fed < total {
        for line in sample.split_inclusive('\n') {
            r.push_line(line, &mut out);
            if out.len() > 1 << 20 {
                std::hint::black_box(&out);
                out.clear();
            }
        }
        fed += sample.len();
    }
    r.finish(&mut out);
    let took = cpu_time() - start;
    let redactions: u64 = r.counts().values().sum();
    (took, redactions)
}

#[test]
#[ignore]
fn throughput_200mb_log() {
    let rules = Rules::builtin();
    let sample = sample(64 * 1024); // ~8 MB, cycled
    let total = 200 * 1000 * 1000;
    let _ = stream(rules, &sample, sample.len()); // warm up: compile the regexes
    let before = peak_rss_kib();
    let wall = Instant::now();
    let (took, redactions) = stream(rules, &sample, total);
    let wall = wall.elapsed();
    let after = peak_rss_kib();
    println!(
        "200 MB log via push_line: {:.2?} CPU = {:.0} MB/s ({:.0} MB/s wall), {redactions} redactions, peak RSS {} MiB -> {} MiB",
        took,
        mb_per_s(total, took),
        mb_per_s(total, wall),
        before / 1024,
        after / 1024
    );
    assert!(after - before < 64 * 1024, "memory grew with the input");
}

#[test]
#[ignore]
fn throughput_keyword_on_every_line() {
    // The prefilter's worst honest case: every line holds a keyword, none a secret.
    let rules = Rules::builtin();
    let line = "2025-10-05T08:06:06Z WARN auth: password authentication failed for user \"app\", token expired, see https://example.com/docs\n";
    let sample = line.repeat(64 * 1024);
    let total = 100 * 1000 * 1000;
    let _ = stream(rules, &sample, sample.len());
    let (took, _) = stream(rules, &sample, total);
    println!("100 MB, keyword on every line: {:.2?} CPU = {:.0} MB/s", took, mb_per_s(total, took));
}

#[test]
#[ignore]
fn throughput_endless_line_in_chunks() {
    // 256 MB without a newline, fed in 64 KiB pieces: windows, no quadratic rescans.
    let rules = Rules::builtin();
    let piece = "abc def 0123456789 token expired ".repeat(2048);
    let mut r = Redactor::new(rules, Numbering::with_key([7; 32]));
    let mut out = String::new();
    let total = 256 * 1024 * 1024;
    let start = cpu_time();
    let mut fed = 0;
    while fed < total {
        r.push_line(&piece, &mut out);
        fed += piece.len();
        out.clear();
    }
    r.finish(&mut out);
    let took = cpu_time() - start;
    println!(
        "256 MB single line in 64 KiB pieces: {:.2?} CPU = {:.0} MB/s, peak RSS {} MiB",
        took,
        mb_per_s(total, took),
        peak_rss_kib() / 1024
    );
}

#[test]
#[ignore]
fn note_path_cost() {
    // Run alone (`note_path_cost --exact`) so that this is the process's first use of the rules.
    let note = "Restarted coredns on node1 after the flannel lease renewed; pods Running again.";
    assert!(note.len() < 100);
    let (wall, cpu) = (Instant::now(), cpu_time());
    let rules = Rules::builtin();
    let built = (wall.elapsed(), cpu_time() - cpu);
    let (wall, cpu) = (Instant::now(), cpu_time());
    let out = Redactor::new(rules, Numbering::with_key([7; 32])).redact(note);
    let first = (wall.elapsed(), cpu_time() - cpu);
    assert_eq!(out, note);
    let n = 1000;
    let cpu = cpu_time();
    for _ in 0..n {
        let rules = Rules::from_config(&RedactConfig::default()).unwrap();
        std::hint::black_box(Redactor::new(&rules, Numbering::with_key([7; 32])).redact(note));
    }
    let warm = (cpu_time() - cpu) / n;
    let cpu = cpu_time();
    for _ in 0..n {
        std::hint::black_box(Redactor::new(rules, Numbering::with_key([7; 32])).redact(note));
    }
    let redact_only = (cpu_time() - cpu) / n;
    println!(
        "note path: Rules::builtin() first call {:.0?} wall / {:.0?} CPU; first redact of a \
         {}-byte note {:.1?} wall / {:.1?} CPU; warm means of {n}: build rules + redact \
         {warm:.0?}, redact alone {redact_only:.1?} (CPU)",
        built.0,
        built.1,
        note.len(),
        first.0,
        first.1
    );
}

#[test]
#[ignore]
fn per_rule_cost() {
    let line = "2025-10-05T08:06:06Z WARN auth: password authentication failed for user \"app\", token expired, see https://example.com/docs\n";
    let sample = line.repeat(16 * 1024);
    let all = Rules::builtin().names();
    let only = std::env::var("RULE").ok();
    for name in all.iter().filter(|n| only.as_deref().is_none_or(|o| o == **n)) {
        let disable = all.iter().filter(|n| *n != name).map(|n| n.to_string()).collect();
        let rules = Rules::from_config(&RedactConfig { disable, rules: vec![] }).unwrap();
        let _ = stream(&rules, &sample, sample.len());
        let (took, _) = stream(&rules, &sample, sample.len() * 4);
        println!("{name:20} {:.0} MB/s (CPU)", mb_per_s(sample.len() * 4, took));
    }
}
