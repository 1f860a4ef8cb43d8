//! Throughput and memory of the streaming extractor over a generated log.
//!
//! `cargo bench --bench extract` (200 MB by default; `INCIDENT_BENCH_MB=50` for less).
//! The input is generated on the fly from a fixed pool of realistic lines (k3s/kubelet
//! journal, CoreDNS queries and loops, flannel, kubectl rows, `ip addr`, dig), so the
//! process's own memory is the pool plus the extractor; peak RSS is printed at each quarter
//! of the input: it rises only while the capped lists fill (100,000 pods is about 35 MiB)
//! and then stays flat.

use incident::extract::{Extractor, Hint};
use std::time::Instant;

/// About 20,000 distinct lines; addresses vary so the distinct-address caps are exercised.
fn pool() -> Vec<String> {
    let mut v = Vec::new();
    for i in 0..2_000u32 {
        let (a, b, c) = (i % 250, (i / 250) % 250, (i * 7) % 250);
        v.push(format!("Oct 05 08:23:{:02} leveling-pc k3s[1234]: I1005 08:23:{:02}.{:06}    1234 flannel.go:105] Using interface with name wlp5s0 and address 192.168.{b}.{a}", i % 60, i % 60, i));
        v.push(format!("Oct 05 08:23:{:02} leveling-pc k3s[1234]: E1005 08:23:{:02}.874377   1234 pod_workers.go:1294] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"coredns\\\" with CrashLoopBackOff: \\\"back-off 5m0s restarting failed container=coredns pod=coredns-7b8c7b8d4-x9k2p_kube-system(ef53650a-5c42-43e2-b06a-8bff928baae9)\\\"\"", i % 60, i % 60));
        v.push(format!("[INFO] 10.42.{c}.{a}:{} - {} \"A IN ollama.ollama.svc.cluster.local. udp 57 false 512\" NOERROR qr,aa,rd 106 0.000{}s", 30000 + i, i, i % 999));
        v.push(format!("[INFO] 10.42.{c}.{b}:{} - {} \"AAAA IN chromadb.chromadb.svc.cluster.local.cluster.local. udp 68 false 512\" NXDOMAIN qr,aa,rd 161 0.000{}s", 40000 + i, i, i % 999));
        v.push(format!("E1005 08:24:{:02}.360285       1 reflector.go:138] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Endpoints: failed to list *v1.Endpoints: Get \"https://10.43.0.1:443/api/v1/endpoints?limit=500\": dial tcp 10.43.{a}.{b}:443: connect: connection refused", i % 60));
        v.push(format!("I1005 08:24:{:02}.123456       1 main.go:211] CLI flags config: {{etcdEndpoints:http://127.0.0.1:4001,http://127.0.0.1:2379 etcdPrefix:/coreos.com/network subnetFile:/run/flannel/subnet.env healthzIP:0.0.0.0 healthzPort:0 iptablesResyncSeconds:5}}", i % 60));
        v.push(format!("convocanvas   convocanvas-7d4b9c8f6-{i:05}   0/1     CrashLoopBackOff   {} ({}h ago)   2d   10.42.0.{a}   leveling-pc   <none>   <none>", 1000 + i, i % 24));
        v.push(format!("    inet 10.{a}.{b}.1/24 brd 10.{a}.{b}.255 scope global dynamic noprefixroute enp6s0"));
        v.push(format!("[FATAL] plugin/loop: Loop (127.0.0.1:{} -> :53) detected for zone \".\", see https://coredns.io/plugins/loop#troubleshooting. Query: \"HINFO 4547991504243258144.{:019}.\"", 30000 + i, i));
        v.push(format!("2025-10-05T08:23:{:02}.485Z [INFO] CoreDNS-1.10.1 linux/amd64, go1.20.8, 055b2c3 k3s version v1.30.5+k3s1 (ab12cd34) fe80::a00:27ff:fe14:{:x}/64", i % 60, i));
    }
    v
}

/// Peak resident set size so far, from /proc (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds (user + system) used by this process so far: on a shared machine wall time
/// depends on the neighbours, CPU time does not.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct we pass it.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return f64::NAN;
    }
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// Resets the peak-RSS mark so each run reports its own peak (Linux >= 4.0).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn run(name: &str, hint: Hint, lines: &[String], target: usize) {
    reset_peak_rss();
    let mut x = Extractor::new(hint);
    let mut fed = 0usize;
    let mut rss: Vec<Option<u64>> = Vec::new();
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    'outer: loop {
        for l in lines {
            x.feed_line(l);
            fed += l.len() + 1;
            if fed >= target / 4 * (rss.len() + 1) {
                rss.push(peak_rss_kib());
            }
            if fed >= target {
                break 'outer;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    let rss: Vec<String> = rss.iter().map(|k| k.map_or("?".into(), |k| format!("{} MiB", k / 1024))).collect();
    let f = x.finish();
    let mb = fed as f64 / 1e6;
    println!(
        "{name:<6} {mb:.0} MB in {secs:.2} s wall = {:.0} MB/s ({cpu:.2} s CPU = {:.0} MB/s per CPU-second); peak RSS at 25/50/75/100%: {}; \
         kept {} pods, {} errors, {} loops, {} ipv4, {} ipv6, truncated={}",
        mb / secs,
        mb / cpu,
        rss.join(" / "),
        f.pods.len(),
        f.errors.len(),
        f.coredns_loops.len(),
        f.ipv4.len(),
        f.ipv6.len(),
        f.truncated
    );
}

fn main() {
    let mb: usize = std::env::var("INCIDENT_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let target = mb * 1_000_000;
    let lines = pool();
    println!("pool: {} lines, {} KiB", lines.len(), lines.iter().map(|l| l.len() + 1).sum::<usize>() / 1024);
    run("auto", Hint::Auto, &lines, target);
    run("log", Hint::Log, &lines, target);
}
