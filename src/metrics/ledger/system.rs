//! Rules for system programs: services, files and editors, network, containers, packages.

use super::programs::{classify_words, inner, owned, positionals, verb_rule};
use super::{Verdict, is_harmless_target};

pub(super) fn systemctl(args: &[&str]) -> Verdict {
    let words =
        positionals(args, &["-H", "--host", "-M", "--machine", "-t", "--type", "-p", "--property", "-s", "--signal"]);
    let Some(&verb) = words.first() else {
        return Verdict::read("systemctl (lists units)");
    };
    let units = words[1..].join(" ");
    let with_units = if units.is_empty() { format!("systemctl {verb}") } else { format!("systemctl {verb} {units}") };
    match verb {
        "start"
        | "stop"
        | "restart"
        | "reload"
        | "enable"
        | "disable"
        | "daemon-reload"
        | "daemon-reexec"
        | "mask"
        | "unmask"
        | "kill"
        | "try-restart"
        | "reload-or-restart"
        | "try-reload-or-restart"
        | "isolate"
        | "reboot"
        | "poweroff"
        | "halt"
        | "set-property"
        | "edit"
        | "revert"
        | "reset-failed"
        | "preset"
        | "link"
        | "set-default"
        | "suspend"
        | "hibernate"
        | "condrestart"
        | "force-reload" => Verdict::change(with_units),
        "status" | "show" | "cat" | "is-active" | "is-enabled" | "is-failed" | "is-system-running" | "list-units"
        | "list-unit-files" | "list-timers" | "list-dependencies" | "list-sockets" | "list-jobs" | "get-default"
        | "help" | "show-environment" => Verdict::read(with_units),
        other => Verdict::unknown(format!("systemctl {other}")),
    }
}

pub(super) fn service(args: &[&str]) -> Verdict {
    match args {
        [] => Verdict::read("service"),
        [flag, ..] if flag.starts_with("--status-all") => Verdict::read("service --status-all"),
        [unit, action, ..] => match *action {
            "start" | "stop" | "restart" | "reload" | "force-reload" | "try-restart" | "condrestart" => {
                Verdict::change(format!("service {unit} {action}"))
            }
            "status" => Verdict::read(format!("service {unit} status")),
            other => Verdict::unknown(format!("service {unit} {other}")),
        },
        [unit] => Verdict::unknown(format!("service {unit}")),
    }
}

pub(super) fn journalctl(args: &[&str]) -> Verdict {
    match args.iter().find(|a| a.starts_with("--vacuum") || matches!(**a, "--rotate" | "--flush" | "--relinquish-var"))
    {
        Some(flag) => Verdict::change(format!("journalctl {flag}")),
        None => Verdict::read("journalctl"),
    }
}

/// Paths that hold configuration or state: copying onto them changes the system.
pub(super) fn is_config_path(path: &str) -> bool {
    const ROOTS: &[&str] = &["/etc/", "/var/lib/", "/usr/", "/opt/", "/boot/", "/lib/", "/srv/", "/var/run/", "/run/"];
    const EXTS: &[&str] = &[
        ".conf",
        ".cfg",
        ".yaml",
        ".yml",
        ".toml",
        ".json",
        ".ini",
        ".service",
        ".env",
        ".rules",
        ".properties",
        ".network",
        ".netdev",
        ".socket",
        ".timer",
    ];
    ROOTS.iter().any(|r| path.starts_with(r) || path == r.trim_end_matches('/'))
        || path.contains("/.kube/")
        || path.contains("/.config/")
        || EXTS.iter().any(|e| path.ends_with(e))
        || path.rsplit('/').next().is_some_and(|n| n == "config" || n == "kubeconfig")
}

pub(super) fn copy(name: &str, args: &[&str]) -> Verdict {
    let paths: Vec<&str> =
        args.iter().filter(|a| !a.starts_with('-')).map(|a| a.rsplit_once(':').map_or(*a, |(_, p)| p)).collect();
    match paths.last() {
        Some(dest) if paths.len() >= 2 && is_config_path(dest) => Verdict::change(format!("{name} onto {dest}")),
        Some(dest) if paths.len() >= 2 => Verdict::read(format!("{name} to a scratch path ({dest})")),
        _ => Verdict::unknown(format!("{name} without a destination")),
    }
}

pub(super) fn files(args: &[&str]) -> String {
    args.iter().filter(|a| !a.starts_with('-')).copied().collect::<Vec<_>>().join(" ")
}

pub(super) fn sed(args: &[&str]) -> Verdict {
    let in_place = args.iter().any(|a| {
        *a == "--in-place"
            || a.starts_with("--in-place=")
            || (a.starts_with('-') && !a.starts_with("--") && a[1..].contains('i'))
    });
    if in_place {
        let target = args.iter().rfind(|a| !a.starts_with('-')).copied().unwrap_or("a file");
        Verdict::change(format!("sed -i edits {target}"))
    } else {
        Verdict::read("sed")
    }
}

pub(super) fn awk(args: &[&str]) -> Verdict {
    if args.windows(2).any(|w| w[0] == "-i" && w[1] == "inplace") {
        Verdict::change("awk -i inplace edits files")
    } else {
        Verdict::read("awk")
    }
}

pub(super) fn flag_changes(args: &[&str], is_flag: impl Fn(&str) -> bool, what: &str) -> Verdict {
    if args.iter().any(|a| is_flag(a)) {
        Verdict::change(format!("{what} edits files"))
    } else {
        Verdict::read(what.split(' ').next().unwrap_or(what))
    }
}

pub(super) fn tee(args: &[&str]) -> Verdict {
    let targets: Vec<&str> = args.iter().filter(|a| !a.starts_with('-') && !is_harmless_target(a)).copied().collect();
    if targets.is_empty() { Verdict::read("tee") } else { Verdict::change(format!("tee writes {}", targets.join(" "))) }
}

pub(super) fn editor(name: &str, args: &[&str]) -> Verdict {
    if args.contains(&"-R") || args.contains(&"-M") {
        return Verdict::read(format!("{name} -R (read-only)"));
    }
    let targets = files(args);
    if targets.is_empty() {
        Verdict::unknown(format!("{name} without a file"))
    } else {
        Verdict::change(format!("{name} {targets}"))
    }
}

pub(super) fn iptables(name: &str, args: &[&str]) -> Verdict {
    const CHANGE: &[&str] = &[
        "-A",
        "-D",
        "-I",
        "-R",
        "-F",
        "-X",
        "-N",
        "-P",
        "-Z",
        "-E",
        "--append",
        "--delete",
        "--insert",
        "--replace",
        "--flush",
        "--delete-chain",
        "--new-chain",
        "--policy",
        "--zero",
        "--rename-chain",
    ];
    match args.iter().find(|a| CHANGE.contains(a)) {
        Some(flag) => Verdict::change(format!("{name} {flag}")),
        None => Verdict::read(name.to_string()),
    }
}

pub(super) fn nft(args: &[&str]) -> Verdict {
    if args.contains(&"-f") {
        return Verdict::change("nft -f loads rules");
    }
    verb_rule(
        "nft",
        args,
        &["add", "delete", "flush", "insert", "replace", "create", "destroy", "reset"],
        &["list", "describe", "monitor"],
    )
}

pub(super) fn ip(args: &[&str], depth: usize) -> Verdict {
    let words = positionals(args, &["-n", "-netns", "-b", "-batch", "-rc", "-f", "-family"]);
    let Some(&object) = words.first() else { return Verdict::read("ip") };
    if object == "netns" && words.get(1) == Some(&"exec") {
        let pos = args.iter().position(|a| *a == "exec").map_or(args.len(), |p| p + 2);
        return inner(args.get(pos..).unwrap_or(&[]), depth, "ip netns exec");
    }
    let action = words.get(1).copied().unwrap_or("show");
    let what = format!("ip {object} {action}");
    match action {
        "add" | "del" | "delete" | "flush" | "replace" | "change" | "set" | "append" | "prepend" | "attach"
        | "detach" => Verdict::change(what),
        "show" | "list" | "ls" | "lst" | "get" | "help" | "monitor" => Verdict::read(what),
        // `ip addr eth0` and friends: anything else is taken as a show.
        _ if matches!(
            object,
            "a" | "addr" | "address" | "r" | "ro" | "route" | "l" | "link" | "n" | "neigh" | "rule" | "ru"
        ) =>
        {
            Verdict::read(format!("ip {object}"))
        }
        _ => Verdict::unknown(what),
    }
}

pub(super) fn ifconfig(args: &[&str]) -> Verdict {
    let words: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).copied().collect();
    if words.len() <= 1 { Verdict::read("ifconfig") } else { Verdict::change(format!("ifconfig {}", words.join(" "))) }
}

pub(super) fn docker(name: &str, args: &[&str], depth: usize) -> Verdict {
    let words = positionals(args, &["-H", "--host", "--context", "-c", "--config", "-l", "--log-level"]);
    let Some(&verb) = words.first() else { return Verdict::read(name.to_string()) };
    match verb {
        "rm" | "stop" | "restart" | "kill" | "run" | "start" | "rmi" | "create" | "pause" | "unpause" | "update"
        | "rename" | "pull" | "load" | "import" | "commit" | "tag" | "push" => {
            let target = words.get(1).map(|t| format!(" {t}")).unwrap_or_default();
            Verdict::change(format!("{name} {verb}{target}"))
        }
        "ps" | "logs" | "inspect" | "images" | "stats" | "top" | "version" | "info" | "events" | "port" | "diff"
        | "history" | "search" | "save" => Verdict::read(format!("{name} {verb}")),
        "exec" => {
            let pos = args.iter().position(|a| *a == "exec").unwrap_or(0);
            let rest = positionals(&args[pos + 1..], &["-e", "--env", "-u", "--user", "-w", "--workdir"]);
            match rest.get(1..) {
                Some(cmd) if !cmd.is_empty() => {
                    let inner = classify_words(&owned(cmd), depth);
                    Verdict { effect: inner.effect, reason: format!("{name} exec: {}", inner.reason) }
                }
                _ => Verdict::unknown(format!("{name} exec")),
            }
        }
        "system" | "container" | "image" | "network" | "volume" | "compose" => {
            let sub = words.get(1).copied().unwrap_or("");
            if matches!(
                sub,
                "ls" | "list" | "inspect" | "ps" | "logs" | "df" | "info" | "config" | "top" | "events" | ""
            ) {
                Verdict::read(format!("{name} {verb} {sub}").trim_end().to_string())
            } else {
                Verdict::change(format!("{name} {verb} {sub}"))
            }
        }
        other => Verdict::unknown(format!("{name} {other}")),
    }
}

pub(super) fn crictl(args: &[&str]) -> Verdict {
    verb_rule(
        "crictl",
        args,
        &["rm", "rmp", "stop", "stopp", "rmi", "pull", "runp", "start", "create", "run", "update", "exec"],
        &[
            "ps",
            "pods",
            "logs",
            "inspect",
            "inspectp",
            "inspecti",
            "images",
            "img",
            "stats",
            "statsp",
            "info",
            "version",
            "imagefsinfo",
        ],
    )
}

pub(super) fn package(name: &str, args: &[&str]) -> Verdict {
    verb_rule(
        name,
        args,
        &[
            "install",
            "remove",
            "purge",
            "upgrade",
            "update",
            "dist-upgrade",
            "full-upgrade",
            "autoremove",
            "erase",
            "reinstall",
            "downgrade",
            "uninstall",
            "add",
            "del",
            "refresh",
        ],
        &["list", "show", "search", "policy", "info", "freeze", "check", "depends", "rdepends", "madison"],
    )
}

pub(super) fn nmcli(args: &[&str]) -> Verdict {
    let words =
        positionals(args, &["-f", "--fields", "-g", "--get-values", "-m", "--mode", "-c", "--colors", "-w", "--wait"]);
    match (words.first().copied(), words.get(1).copied()) {
        (None, _) => Verdict::read("nmcli"),
        (Some(o), Some(a))
            if matches!(
                a,
                "up" | "down"
                    | "modify"
                    | "mod"
                    | "add"
                    | "delete"
                    | "del"
                    | "reload"
                    | "connect"
                    | "disconnect"
                    | "set"
                    | "reapply"
                    | "on"
                    | "off"
                    | "import"
                    | "clone"
            ) =>
        {
            Verdict::change(format!("nmcli {o} {a}"))
        }
        (Some(o), a) => Verdict::read(format!("nmcli {o} {}", a.unwrap_or("")).trim_end().to_string()),
    }
}

pub(super) fn find(args: &[&str], depth: usize) -> Verdict {
    if args.contains(&"-delete") {
        return Verdict::change("find -delete");
    }
    if let Some(p) = args.iter().position(|a| matches!(*a, "-exec" | "-execdir" | "-ok" | "-okdir")) {
        let end = args[p + 1..].iter().position(|a| *a == ";" || *a == "+").map_or(args.len(), |e| p + 1 + e);
        let inner = classify_words(&owned(&args[p + 1..end]), depth);
        return Verdict { effect: inner.effect, reason: format!("find -exec {}", inner.reason) };
    }
    Verdict::read("find")
}

pub(super) fn curl(args: &[&str]) -> Verdict {
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if matches!(a, "-X" | "--request") {
            let method = args.get(i + 1).copied().unwrap_or("").to_ascii_uppercase();
            if !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS") {
                return Verdict::change(format!("curl sends an HTTP {method}"));
            }
        }
        if a.starts_with("-X") && a.len() > 2 && !matches!(&a[2..], "GET" | "HEAD" | "OPTIONS") {
            return Verdict::change(format!("curl sends an HTTP {}", &a[2..]));
        }
        if a.starts_with("--data") || matches!(a, "-d" | "-F" | "--form" | "-T" | "--upload-file" | "--json") {
            return Verdict::change("curl sends data (HTTP POST/PUT)");
        }
        i += 1;
    }
    Verdict::read("curl")
}
