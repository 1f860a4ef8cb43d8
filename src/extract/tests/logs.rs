//! Logs and DNS tools: error kinds, endpoints, CoreDNS loops, addresses in free text.

use super::{fixture, strs};
use crate::extract::{CorednsLoop, ErrorKind, ErrorLine, Hint, extract};

fn kinds(f: &crate::extract::Facts) -> Vec<(&str, u64)> {
    f.errors.iter().map(|e| (e.kind.as_str(), e.line)).collect()
}

fn lp(from: Option<&str>, to: Option<&str>, zone: Option<&str>, query: &str) -> CorednsLoop {
    CorednsLoop {
        from: from.map(Into::into),
        to: to.map(Into::into),
        zone: zone.map(Into::into),
        query: Some(query.into()),
    }
}

#[test]
fn seed_refused_takes_the_endpoint_from_the_line_before() {
    let f = fixture!("seed_app_log");
    assert_eq!(
        f.errors,
        [ErrorLine {
            kind: "connection_refused".into(),
            line: 2,
            text: "Connection refused".into(),
            endpoint: Some("ollama.ollama.svc.cluster.local:11434".into()),
        }]
    );
}

#[test]
fn seed_nslookup_nxdomain() {
    let f = fixture!("seed_nslookup");
    assert_eq!(kinds(&f), [("nxdomain", 4)]);
    assert_eq!(f.errors[0].endpoint, None);
    assert_eq!(f.ipv4, strs(&["10.43.0.10"]));
}

#[test]
fn loop_formats() {
    let seed = fixture!("seed_coredns_loop");
    assert_eq!(
        seed.coredns_loops,
        [lp(Some("127.0.0.1:53"), Some(":53"), Some("."), "HINFO 4547991504243258144.3688749835255860442.")]
    );
    assert_eq!(
        (seed.errors[0].kind.as_str(), seed.errors[0].endpoint.as_deref()),
        ("coredns_loop", Some("127.0.0.1:53"))
    );
    assert_eq!(seed.summary(), "CoreDNS loop (127.0.0.1:53 -> :53) in zone \".\"; 1 error: 1 coredns_loop");

    let cut = fixture!("coredns_2795_loop_log");
    assert_eq!(
        cut.coredns_loops,
        [lp(Some("127.0.0.1:34614"), Some(":53"), Some("."), "HINFO 6074102630077018525.5798689655824409358.")]
    );
    assert_eq!(kinds(&cut), [("coredns_loop", 7)]);
    // 1.5.0, go1.12.2 and the ISO timestamps are not addresses.
    assert_eq!(cut.ipv4, strs(&["127.0.0.1"]));

    let k3s = fixture!("k3s_9066_loop_k3s");
    assert_eq!(k3s.coredns_loops[0].from.as_deref(), Some("127.0.0.1:60292"));

    let zone = fixture!("k8s_93379_grep_wide_and_loop");
    assert_eq!(
        zone.coredns_loops,
        [lp(
            Some("192.168.0.49:54616"),
            Some("192.168.0.49:53"),
            Some("in-addr.arpa."),
            "HINFO 8152613472028609709.5116360551987037255."
        )]
    );

    let old = fixture!("coredns_2185_forwarding_loop");
    assert_eq!(old.coredns_loops, [lp(None, None, Some("."), "HINFO 8197013227829063497.2826484655034768591.")]);
    assert_eq!(kinds(&old), [("coredns_loop", 1)]);

    let oldest = fixture!("coredns_2391_seen_more_than_twice");
    assert_eq!(oldest.coredns_loops, [lp(None, None, None, "HINFO IN 7087784449798295848.7359092265978106814.")]);
    assert_eq!(kinds(&oldest), [("coredns_loop", 8)]);
    assert!(oldest.ipv4.is_empty());
}

#[test]
fn kubelet_crashloop_journal() {
    let f = fixture!("k3s_8825_kubelet_journal");
    assert_eq!(kinds(&f), [("crashloopbackoff", 1), ("crashloopbackoff", 3)]);
    assert!(f.ipv4.is_empty() && f.ipv6.is_empty(), "UUIDs and v1beta1 are not addresses");
}

#[test]
fn flannel_journal_without_vocabulary_errors() {
    let f = fixture!("k3s_4847_flannel_journal");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.ipv4, strs(&["10.0.0.172"]));
    assert_eq!(f.summary(), "1 IPv4 address");
}

#[test]
fn dial_tcp_endpoints() {
    let f = fixture!("flannel_1785_io_timeout");
    assert_eq!(kinds(&f), [("io_timeout", 1)]);
    assert_eq!(f.errors[0].endpoint.as_deref(), Some("10.96.0.1:443"));
    let g = fixture!("k8s_27873_no_route_to_host");
    assert_eq!(kinds(&g), [("no_route_to_host", 7)]);
    assert_eq!(g.errors[0].endpoint.as_deref(), Some("10.96.0.1:443"));
    assert_eq!(g.pods.len(), 3, "old -o wide table above the log line");
    assert_eq!(g.pods[2].ip, Some(Some("192.168.43.131".into())));
    let h = fixture!("flannel_1999_tls_handshake_timeout");
    assert_eq!(kinds(&h), [("io_timeout", 1)]);
    assert_eq!(h.errors[0].endpoint.as_deref(), Some("10.96.0.1:443"));
}

#[test]
fn dig_and_nslookup() {
    let dig = fixture!("coredns_4907_dig_servfail");
    assert_eq!(kinds(&dig), [("servfail", 7)]);
    assert_eq!(dig.ipv4, strs(&["192.168.0.4"]));
    let timeout = fixture!("externaldns_2027_nslookup_timeout");
    // The CoreDNS HINFO probe answered NXDOMAIN (last line) is not a failure.
    assert_eq!(kinds(&timeout), [("dns_timeout", 7)]);
    assert_eq!(timeout.pods.len(), 1);
    assert_eq!(timeout.pods[0].restarts, 120);
    let bb = fixture!("busybox_75_nslookup_nxdomain");
    assert_eq!(kinds(&bb), [("nxdomain", 4)]);
}

#[test]
fn every_kind_of_the_vocabulary() {
    let cases: [(&str, ErrorKind, Option<&str>); 16] = [
        ("dial tcp 10.43.0.1:443: connect: connection refused", ErrorKind::ConnectionRefused, Some("10.43.0.1:443")),
        (
            "Get \"https://10.43.0.1:443/version\": dial tcp 10.43.0.1:443: i/o timeout",
            ErrorKind::IoTimeout,
            Some("10.43.0.1:443"),
        ),
        ("** server can't find x.default: NXDOMAIN", ErrorKind::Nxdomain, None),
        ("** server can't find x.default: SERVFAIL", ErrorKind::Servfail, None),
        ("curl: (6) Could not resolve host: registry.example.com", ErrorKind::DnsFailure, None),
        ("dial tcp 10.96.0.1:443: connect: no route to host", ErrorKind::NoRouteToHost, Some("10.96.0.1:443")),
        (
            "read tcp 10.42.0.8:45012->10.43.0.1:443: read: connection reset by peer",
            ErrorKind::ConnectionReset,
            Some("10.43.0.1:443"),
        ),
        (
            "curl: (7) Failed to connect to 10.43.0.1 port 443 after 3 ms: Couldn't connect to server",
            ErrorKind::ConnectFailed,
            Some("10.43.0.1:443"),
        ),
        (
            "[ERROR] plugin/errors: 2 example.com. A: read udp 10.42.0.5:52374->8.8.8.8:53: i/o timeout",
            ErrorKind::DnsTimeout,
            Some("8.8.8.8:53"),
        ),
        (
            "[FATAL] plugin/loop: Loop (127.0.0.1:53 -> :53) detected for zone \".\"",
            ErrorKind::CorednsLoop,
            Some("127.0.0.1:53"),
        ),
        ("Back-off restarting failed container", ErrorKind::CrashLoopBackOff, None),
        ("      Reason:       OOMKilled", ErrorKind::OomKilled, None),
        ("Failed to pull image \"ghcr.io/x/y:1.0\": not found", ErrorKind::ImagePull, None),
        (
            "Error from server (ServiceUnavailable): the server is currently unable to handle the request",
            ErrorKind::ServiceUnavailable,
            None,
        ),
        ("Unable to connect to the server: x509: certificate signed by unknown authority", ErrorKind::Tls, None),
        ("open /var/lib/rancher/k3s/server/token: permission denied", ErrorKind::PermissionDenied, None),
    ];
    for (line, kind, endpoint) in cases {
        let f = extract(line, Hint::Log);
        assert_eq!(f.errors.len(), 1, "{line}");
        assert_eq!(f.errors[0].kind, kind.as_str(), "{line}");
        assert_eq!(f.errors[0].endpoint.as_deref(), endpoint, "{line}");
    }
    let names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "connection_refused",
            "io_timeout",
            "nxdomain",
            "servfail",
            "dns_failure",
            "no_route_to_host",
            "connection_reset",
            "connect_failed",
            "dns_timeout",
            "coredns_loop",
            "crashloopbackoff",
            "oomkilled",
            "image_pull",
            "service_unavailable",
            "tls",
            "permission_denied",
        ]
    );
}

/// Each line gives exactly one error, of this kind, about this endpoint.
fn assert_one_error_each(cases: &[(&str, &str, Option<&str>)]) {
    for &(line, kind, endpoint) in cases {
        let f = extract(line, Hint::Log);
        assert_eq!(f.errors.len(), 1, "{line}");
        assert_eq!(f.errors[0].kind, kind, "{line}");
        assert_eq!(f.errors[0].endpoint.as_deref(), endpoint, "{line}");
    }
}

#[test]
fn resolver_messages_and_dig_endpoints() {
    let cases = [
        (
            "Get \"http://api.default.svc:8080/\": dial tcp: lookup api.default.svc on 10.43.0.10:53: no such host",
            "nxdomain",
            Some("10.43.0.10:53"),
        ),
        ("ssh: Could not resolve hostname db-1: Name or service not known", "nxdomain", None),
        ("ping: registry.example.com: Temporary failure in name resolution", "dns_failure", None),
        (";; communications error to 10.43.0.10#53: timed out", "dns_timeout", Some("10.43.0.10:53")),
        (";; communications error to fd00::10#53: timed out", "dns_timeout", Some("[fd00::10]:53")),
    ];
    assert_one_error_each(&cases);
}

#[test]
fn timeouts_unreachable_networks_and_other_tools_wording() {
    let cases = [
        ("dial tcp 10.43.0.1:443: connect: connection timed out", "io_timeout", Some("10.43.0.1:443")),
        (
            "curl: (28) Failed to connect to 10.0.0.9 port 80 after 130 ms: Connection timed out",
            "io_timeout",
            Some("10.0.0.9:80"),
        ),
        ("curl: (28) Operation timed out after 5001 milliseconds with 0 bytes received", "io_timeout", None),
        (
            "Get \"http://api.default.svc:8080/\": context canceled (Client.Timeout exceeded while awaiting headers)",
            "io_timeout",
            Some("api.default.svc:8080"),
        ),
        ("dial tcp: lookup registry.local on 10.43.0.10:53: server misbehaving", "servfail", Some("10.43.0.10:53")),
        ("nslookup: can't resolve 'registry.local'", "dns_failure", None),
        ("failed to pull and unpack image \"docker.io/library/x:1\": not found", "image_pull", None),
        ("dial tcp 10.1.0.1:443: connect: network is unreachable", "no_route_to_host", Some("10.1.0.1:443")),
    ];
    assert_one_error_each(&cases);
}

#[test]
fn only_a_bare_connection_failure_takes_the_previous_lines_endpoint() {
    let f = extract("Error: Failed to connect to ollama.svc:11434\nConnection refused\n", Hint::Log);
    assert_eq!(f.errors[0].endpoint.as_deref(), Some("ollama.svc:11434"));
    // A name that did not resolve, or a log line of its own, is not about that connection.
    let f = extract(
        "curl: (7) Failed to connect to 10.43.0.1 port 443 after 3 ms: Couldn't connect to server\n\
         curl: (6) Could not resolve host: registry.local\n",
        Hint::Log,
    );
    let endpoints: Vec<_> = f.errors.iter().map(|e| (e.kind.as_str(), e.endpoint.as_deref())).collect();
    assert_eq!(endpoints, [("connect_failed", Some("10.43.0.1:443")), ("dns_failure", None)]);
    let f = extract(
        "Trying to connect to 192.168.1.79:6443\nE1005 12:00:01 reflector.go:123 failed to list: i/o timeout\n",
        Hint::Log,
    );
    assert_eq!(f.errors[0].endpoint, None);
}

#[test]
fn curl_port_form_and_log_hint() {
    let f = extract("curl: (7) Failed to connect to 127.0.0.1 port 8080: Connection refused", Hint::Log);
    assert_eq!(f.errors[0].endpoint.as_deref(), Some("127.0.0.1:8080"));
    // A line shaped like a route is still only a log line under `--as log`.
    let g = extract("default via 10.0.0.1 dev eth0 proto dhcp", Hint::Log);
    assert!(g.routes.is_empty() && g.default_route.is_none());
    assert_eq!(g.ipv4, strs(&["10.0.0.1"]));
}

#[test]
fn versions_and_timestamps_are_not_addresses() {
    let text = "k3s version v1.30.5+k3s1 (ab12cd34)\ncoredns 1.10.1 go1.20.8 v1.2.3.4 1.2.3.4.5\n\
                2024-01-05T10:11:12.123Z 12:30:45 08:00:27:14:86:db 4.18.0-80.11.2.el8_0.x86_64\n\
                mask 255.255.255.0 any 0.0.0.0 net 10.42.0.0/16 host 10.42.0.7/16 \"[::1]:53\" fe80::/64\n";
    let f = extract(text, Hint::Auto);
    assert_eq!(f.ipv4, strs(&["10.42.0.7"]));
    assert_eq!(f.ipv6, strs(&["::1"]));
}
