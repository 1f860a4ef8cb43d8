//! `ip addr`, `ifconfig` (net-tools 1.x, 2.x, busybox), `ip route`, `route -n`.

use super::{fixture, strs};
use crate::extract::{DefaultRoute, Hint, Interface, Route, extract};

fn iface(name: &str, v4: &[&str], v6: &[&str]) -> Interface {
    Interface { name: name.into(), ipv4: strs(v4), ipv6: strs(v6) }
}

#[test]
fn ip_addr_interfaces_and_prefixes() {
    let f = fixture!("flannel_1437_ip_addr");
    assert_eq!(
        f.interfaces,
        [
            iface("lo", &["127.0.0.1/8"], &["::1/128"]),
            iface("eth0", &["10.0.2.15/24"], &["fe80::a00:27ff:fe14:86db/64"]),
            iface("eth1", &["192.168.50.102/24"], &["fe80::a00:27ff:fee6:bfa1/64"]),
            iface("flannel.1", &["10.244.1.0/32"], &[]),
        ]
    );
    // brd 10.0.2.255 / 192.168.50.255 are broadcast addresses; MACs are not IPv6.
    assert_eq!(f.ipv4, strs(&["127.0.0.1", "10.0.2.15", "192.168.50.102", "10.244.1.0"]));
    assert_eq!(f.ipv6, strs(&["::1", "fe80::a00:27ff:fe14:86db", "fe80::a00:27ff:fee6:bfa1"]));
}

#[test]
fn hand_masked_addresses_yield_nothing() {
    let f = fixture!("k3s_7013_ip_a_hand_masked");
    assert_eq!(
        f.interfaces,
        [
            iface("eth0", &[], &["fe80::52eb:f6ff:fe97:2241/64"]),
            iface("flannel.1", &["10.42.0.0/32"], &["fe80::7ce6:ccff:fe79:1b95/64"]),
            iface("cni0", &["10.42.0.1/24"], &["fe80::e89e:5aff:fe23:bc57/64"]),
            iface("vethd07fdbe2", &[], &[]),
        ]
    );
    assert_eq!(f.ipv4, strs(&["10.42.0.0", "10.42.0.1"]));
}

#[test]
fn redaction_placeholders_yield_nothing() {
    let text = "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n    inet <REDACTED>/24 brd <REDACTED> scope global eth0\n    inet [REDACTED:ip-1]/24 scope global eth0\n";
    let f = extract(text, Hint::Ip);
    assert_eq!(f.interfaces, [iface("eth0", &[], &[])]);
    assert!(f.ipv4.is_empty());
}

#[test]
fn ip_4_grep_inet_uses_the_label() {
    let f = fixture!("website_11980_ip4_grep_inet");
    assert_eq!(
        f.interfaces,
        [
            iface("lo", &["127.0.0.1/8"], &[]),
            iface("eth0", &["172.16.1.184/24"], &[]),
            iface("flannel.1", &["18.16.46.0/32"], &[]),
            iface("docker0", &["18.16.46.1/24"], &[]),
        ]
    );
}

#[test]
fn ifconfig_net_tools_1_masks_become_prefixes() {
    let f = fixture!("flannel_1728_ifconfig_nettools1");
    assert_eq!(
        f.interfaces,
        [
            iface("docker0", &["10.1.5.1/24"], &[]),
            iface("eth0", &["107.6.13.95/24"], &[]),
            iface("flannel.1", &["10.1.5.0/32"], &[]),
        ]
    );
    // Bcast: values and masks are not addresses.
    assert_eq!(f.ipv4, strs(&["10.1.5.1", "107.6.13.95", "10.1.5.0"]));
}

#[test]
fn ifconfig_net_tools_1_with_inet6() {
    let f = fixture!("containerd_cri_562_ifconfig_inet6");
    assert_eq!(
        f.interfaces,
        [
            iface("eth0", &["10.0.2.15/24"], &["fe80::a00:27ff:fedf:1634/64"]),
            iface("eth1", &["192.168.10.5/24"], &["fe80::a00:27ff:fedd:6cac/64"]),
        ]
    );
}

#[test]
fn ifconfig_net_tools_2() {
    let f = fixture!("opsnull_138_ifconfig_nettools2");
    assert_eq!(
        f.interfaces,
        [
            iface("flannel.1", &["10.253.72.0/32"], &["fe80::7849:62ff:fe2b:e3ae/64"]),
            iface("docker0", &["172.17.0.1/16"], &[]),
        ]
    );
    assert_eq!(f.ipv4, strs(&["10.253.72.0", "172.17.0.1"]));
}

#[test]
fn busybox_ifconfig() {
    let f = fixture!("cni_389_busybox_ifconfig");
    assert_eq!(
        f.interfaces,
        [
            iface("eth0", &["10.20.30.152/24"], &["fe80::9097:2cff:feb5:6ab7/64"]),
            iface("eth1", &["172.17.0.8/16"], &["fe80::fc55:51ff:feef:2748/64"]),
        ]
    );
}

#[test]
fn seed_summarised_listing() {
    let f = fixture!("seed_ip_addr_summary");
    assert_eq!(
        f.interfaces,
        [iface("enp6s0", &["192.168.1.186/24"], &[]), iface("wlp5s0", &["192.168.1.180/24"], &[])]
    );
    assert_eq!(f.summary(), "2 interfaces (enp6s0 192.168.1.186/24, wlp5s0 192.168.1.180/24)");
}

#[test]
fn ip_route_default_and_routes() {
    let f = fixture!("flannel_1029_ip_route_and_ifconfig");
    assert_eq!(f.default_route, Some(DefaultRoute { gateway: Some("192.168.56.1".into()), dev: Some("eno2".into()) }));
    assert_eq!(f.routes.len(), 9);
    assert_eq!(
        f.routes[2],
        Route { dst: "172.20.0.0/24".into(), gateway: Some("172.20.0.0".into()), dev: Some("flannel.1".into()) }
    );
    assert_eq!(f.routes[6], Route { dst: "172.20.4.0/24".into(), gateway: None, dev: Some("cni0".into()) });
    assert_eq!(f.interfaces, [iface("flannel.1", &["172.20.4.0/32"], &["fe80::30ff:59ff:fe78:9a8a/64"])]);
    assert_eq!(f.summary(), "1 interface (flannel.1 172.20.4.0/32); default via 192.168.56.1 dev eno2; 9 routes");
}

#[test]
fn pod_route_table() {
    let f = fixture!("danm_237_pod_ip_route");
    assert_eq!(
        f.routes,
        [
            Route { dst: "default".into(), gateway: Some("10.244.1.1".into()), dev: Some("eth0".into()) },
            Route { dst: "10.244.0.0/16".into(), gateway: Some("10.244.1.1".into()), dev: Some("eth0".into()) },
            Route { dst: "10.244.1.0/24".into(), gateway: None, dev: Some("eth0".into()) },
        ]
    );
    // Networks (10.244.0.0/16) are not host addresses; the src address is.
    assert_eq!(f.ipv4, strs(&["10.244.1.1", "10.244.1.5"]));
}

#[test]
fn route_n_table() {
    let f = fixture!("sriov_222_route_n");
    assert_eq!(f.default_route, Some(DefaultRoute { gateway: Some("169.254.1.1".into()), dev: Some("eth0".into()) }));
    assert_eq!(f.routes[1], Route { dst: "10.127.53.0/24".into(), gateway: None, dev: Some("net1".into()) });
}

#[test]
fn lowest_metric_default_route_wins() {
    let text = "default via 192.168.1.1 dev enp6s0 proto dhcp metric 100\n\
                default via 192.168.1.1 dev wlp5s0 proto dhcp metric 50\n\
                default via 10.0.0.1 dev tun0 metric 50\n";
    let f = extract(text, Hint::Route);
    assert_eq!(f.default_route.unwrap().dev.as_deref(), Some("wlp5s0"));
    assert_eq!(f.routes.len(), 3);
}

#[test]
fn route_hint_does_not_read_interfaces() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/extract/flannel_1029_ip_route_and_ifconfig.txt"
    ));
    let f = extract(text, Hint::Route);
    assert!(f.interfaces.is_empty());
    assert_eq!(f.routes.len(), 9);
    let g = extract(text, Hint::Ip);
    assert_eq!((g.interfaces.len(), g.routes.len()), (1, 9), "`ip` covers addr and route");
}

#[test]
fn ip_o_addr_one_line_format() {
    // `ip -o addr` as iproute2 prints it (backslash marks the folded lines).
    let text = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n\
                2: eth0    inet 10.0.2.15/24 brd 10.0.2.255 scope global dynamic eth0\\       valid_lft 86091sec preferred_lft 86091sec\n\
                2: eth0    inet6 fe80::a00:27ff:fe14:86db/64 scope link \\       valid_lft forever preferred_lft forever\n";
    let f = extract(text, Hint::Ip);
    assert_eq!(
        f.interfaces,
        [iface("lo", &["127.0.0.1/8"], &[]), iface("eth0", &["10.0.2.15/24"], &["fe80::a00:27ff:fe14:86db/64"]),]
    );
}

#[test]
fn ip_br_addr_brief_format() {
    let text = "lo               UNKNOWN        127.0.0.1/8 ::1/128 \n\
                eth0             UP             192.168.1.50/24 fe80::a00:27ff:fe14:86db/64 \n\
                flannel.1        DOWN           \n\
                veth3a1b@if3     UP             fe80::4c1e:2ff:fe3a:1b2c/64 \n";
    let f = extract(text, Hint::Ip);
    assert_eq!(
        f.interfaces,
        [
            iface("lo", &["127.0.0.1/8"], &["::1/128"]),
            iface("eth0", &["192.168.1.50/24"], &["fe80::a00:27ff:fe14:86db/64"]),
            iface("veth3a1b", &[], &["fe80::4c1e:2ff:fe3a:1b2c/64"]),
        ]
    );
    // A table row that happens to say UP is not an interface.
    assert!(extract("web-1 UP 3d\nLink UP\nlocalhost UP\n", Hint::Log).interfaces.is_empty());
}

#[test]
fn form_feed_before_a_multibyte_header_does_not_panic() {
    // Found by review: the header parser sliced at a byte offset taken after skipping a
    // leading form feed, which landed inside `é`.
    let f = extract("\x0cabé Link encap:Ethernet\n\x0caé: flags=1<UP>\n", Hint::Ip);
    assert!(f.interfaces.is_empty());
}

#[test]
fn ip_hint_skips_tables_and_logs() {
    let text =
        "NAME READY STATUS RESTARTS AGE\nweb 0/1 Error 3 2d\ndial tcp 10.0.0.9:443: connect: connection refused\n";
    let f = extract(text, Hint::Ip);
    assert!(f.pods.is_empty() && f.errors.is_empty());
    assert_eq!(f.ipv4, strs(&["10.0.0.9"]));
}
