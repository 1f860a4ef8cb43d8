//! Per-program rules: which subcommands and flags change state. Wrappers are peeled first.

use super::system::*;
use super::{Verdict, classify_at, is_harmless_target};

/// Programs that only look, whatever their arguments (redirections are judged apart).
#[rustfmt::skip]
const READ_ONLY: &[&str] = &[
    "cat", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "zgrep", "rg", "ag", "jq", "wc", "sort",
    "uniq", "cut", "tr", "column", "ls", "ll", "stat", "file", "df", "du", "free", "uptime", "ps", "top", "htop",
    "pstree", "pgrep", "lsof", "ss", "netstat", "nslookup", "dig", "host", "ping", "ping6", "traceroute",
    "tracepath", "mtr", "arp", "date", "uname", "whoami", "id", "groups", "printenv", "which", "whereis", "type",
    "echo", "printf", "sleep", "true", "false", "test", "[", "diff", "cmp", "md5sum", "sha256sum", "sha1sum",
    "base64", "xxd", "hexdump", "od", "strings", "tree", "realpath", "readlink", "basename", "dirname", "dmesg",
    "lsblk", "blkid", "lscpu", "lsmod", "lspci", "lsusb", "vmstat", "iostat", "mpstat", "sar", "nproc", "getent",
    "tcpdump", "nmap", "stern", "openssl", "nc", "telnet", "iwconfig", "history", "clear", "pwd", "cd", "man",
    "wget", "envsubst", "yes", "seq", "kubectx", "kubens",
];

/// Programs whose every use changes something.
const CHANGING: &[(&str, &str)] = &[
    ("rm", "deletes files"),
    ("rmdir", "deletes folders"),
    ("mv", "moves files"),
    ("chmod", "changes permissions"),
    ("chown", "changes owners"),
    ("chgrp", "changes groups"),
    ("truncate", "truncates files"),
    ("shred", "destroys files"),
    ("ln", "creates links"),
    ("mkdir", "creates folders"),
    ("touch", "creates or touches files"),
    ("install", "installs files"),
    ("unlink", "deletes a file"),
    ("reboot", "reboots the machine"),
    ("shutdown", "shuts the machine down"),
    ("poweroff", "powers the machine off"),
    ("halt", "halts the machine"),
    ("kill", "signals processes"),
    ("pkill", "signals processes"),
    ("killall", "signals processes"),
    ("k3s-killall.sh", "stops every k3s process"),
    ("k3s-uninstall.sh", "uninstalls k3s"),
    ("dhclient", "renews or releases the DHCP lease"),
    ("umount", "unmounts a file system"),
    ("swapoff", "turns swap off"),
    ("swapon", "turns swap on"),
    ("modprobe", "loads or unloads a kernel module"),
    ("rmmod", "unloads a kernel module"),
    ("insmod", "loads a kernel module"),
    ("iptables-restore", "replaces firewall rules"),
    ("ip6tables-restore", "replaces firewall rules"),
    ("useradd", "adds a user"),
    ("userdel", "deletes a user"),
    ("usermod", "changes a user"),
    ("passwd", "changes a password"),
    ("visudo", "edits sudoers"),
];

const EDITORS: &[&str] = &["vi", "vim", "nvim", "nano", "emacs", "pico", "ed", "joe", "micro", "mcedit"];

pub(crate) fn classify_words(words: &[String], depth: usize) -> Verdict {
    let Some((prog, args)) = peel(words) else {
        return Verdict::read("variable assignment");
    };
    let name = prog.rsplit('/').next().unwrap_or(prog);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let cmd = |n: usize| -> String {
        let mut parts = vec![name];
        parts.extend(args.iter().take(n));
        parts.join(" ")
    };
    match name {
        "sudo" | "doas" => sudo(&args, depth),
        "env" => env(&args, depth),
        "timeout" => after_options(&args, &["-s", "--signal", "-k", "--kill-after"], 1, depth, "timeout"),
        "nohup" | "command" | "exec" | "builtin" | "unbuffer" | "time" => inner(&args, depth, name),
        "nice" => after_options(&args, &["-n", "--adjustment"], 0, depth, "nice"),
        "ionice" => after_options(&args, &["-c", "-n", "-p", "--class", "--classdata"], 0, depth, "ionice"),
        "stdbuf" => after_options(&args, &[], 0, depth, "stdbuf"),
        "watch" => after_options(&args, &["-n", "--interval", "-d", "--differences"], 0, depth, "watch"),
        "xargs" => after_options(&args, &["-n", "-I", "-P", "-L", "-d", "-E", "-s", "-a"], 0, depth, "xargs"),
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "fish" => shell(name, &args, depth),
        "k3s" => k3s(&args, depth),
        "kubectl" | "oc" | "microk8s.kubectl" => kubectl(name, &args, depth),
        "helm" => helm(&args),
        "systemctl" => systemctl(&args),
        "service" => service(&args),
        "journalctl" => journalctl(&args),
        "cp" | "rsync" | "scp" => copy(name, &args),
        "sed" => sed(&args),
        "perl" => flag_changes(&args, |a| a.starts_with('-') && !a.starts_with("--") && a.contains('i'), "perl -i"),
        "awk" | "gawk" => awk(&args),
        "yq" => flag_changes(&args, |a| a == "-i" || a == "--inplace", "yq -i"),
        "tee" => tee(&args),
        "dd" => match args.iter().find(|a| a.starts_with("of=")) {
            Some(of) if !is_harmless_target(&of[3..]) => Verdict::change(format!("dd writes {}", &of[3..])),
            _ => Verdict::read("dd"),
        },
        "iptables" | "ip6tables" | "iptables-legacy" | "iptables-nft" | "ip6tables-legacy" | "ip6tables-nft" => {
            iptables(name, &args)
        }
        "nft" => nft(&args),
        "ip" => ip(&args, depth),
        "ifconfig" => ifconfig(&args),
        "route" => match args.iter().find(|a| !a.starts_with('-')) {
            Some(&verb) if matches!(verb, "add" | "del" | "delete") => Verdict::change(format!("route {verb}")),
            _ => Verdict::read("route"),
        },
        "init" | "telinit" => match args.first() {
            Some(&l) if matches!(l, "0" | "6" | "1" | "s" | "S") => Verdict::change(format!("{name} {l}")),
            _ => Verdict::unknown(cmd(1)),
        },
        "docker" | "podman" | "nerdctl" => docker(name, &args, depth),
        "crictl" => crictl(&args),
        "apt" | "apt-get" | "yum" | "dnf" | "zypper" | "apk" | "pacman" | "snap" | "pip" | "pip3" | "brew" => {
            package(name, &args)
        }
        "nmcli" => nmcli(&args),
        "netplan" => verb_rule(name, &args, &["apply", "set", "generate", "try"], &["get", "info", "status"]),
        "hostnamectl" | "resolvectl" | "localectl" | "timedatectl" => {
            let verb = args.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("status");
            if verb.starts_with("set-")
                || matches!(verb, "flush-caches" | "dns" | "domain" | "revert" | "reset-statistics")
            {
                Verdict::change(format!("{name} {verb}"))
            } else {
                Verdict::read(format!("{name} {verb}"))
            }
        }
        "hostname" => match args.iter().find(|a| !a.starts_with('-')) {
            Some(_) => Verdict::change("hostname sets the host name"),
            None => Verdict::read("hostname"),
        },
        "sysctl" => {
            if args.iter().any(|a| matches!(*a, "-w" | "--write" | "-p" | "--load" | "--system") || a.contains('=')) {
                Verdict::change("sysctl sets kernel parameters")
            } else {
                Verdict::read("sysctl")
            }
        }
        "mount" => {
            if args.iter().any(|a| !a.starts_with('-')) {
                Verdict::change("mount")
            } else {
                Verdict::read("mount (lists mounts)")
            }
        }
        "crontab" => {
            if args.contains(&"-l") {
                Verdict::read("crontab -l")
            } else {
                Verdict::change("crontab changes the cron table")
            }
        }
        "find" => find(&args, depth),
        "curl" => curl(&args),
        "git" => verb_rule(
            name,
            &args,
            &[
                "commit",
                "push",
                "reset",
                "checkout",
                "switch",
                "merge",
                "rebase",
                "pull",
                "apply",
                "stash",
                "clean",
                "restore",
                "rm",
                "mv",
                "tag",
                "revert",
                "cherry-pick",
                "am",
            ],
            &[
                "status",
                "log",
                "diff",
                "show",
                "blame",
                "fetch",
                "grep",
                "branch",
                "remote",
                "config",
                "rev-parse",
                "describe",
                "ls-files",
            ],
        ),
        "kubeadm" => {
            verb_rule(name, &args, &["reset", "init", "join", "upgrade", "certs", "token"], &["version", "config"])
        }
        "etcdctl" => verb_rule(
            name,
            &args,
            &["put", "del", "defrag", "compaction", "txn", "lease", "snapshot", "move-leader"],
            &["get", "member", "endpoint", "watch", "version", "check", "alarm"],
        ),
        "terraform" | "tofu" => verb_rule(
            name,
            &args,
            &["apply", "destroy", "import", "taint", "untaint", "state"],
            &["plan", "show", "output", "validate", "version", "fmt", "init", "providers", "graph"],
        ),
        n if EDITORS.contains(&n) => editor(n, &args),
        "view" => Verdict::read("view (read-only vim)"),
        n => {
            if let Some((_, what)) = CHANGING.iter().find(|(p, _)| *p == n) {
                let target: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).copied().collect();
                if target.is_empty() {
                    Verdict::change(format!("{n}: {what}"))
                } else {
                    Verdict::change(format!("{n} {}", target.join(" ")))
                }
            } else if READ_ONLY.contains(&n) {
                Verdict::read(n)
            } else {
                Verdict::unknown(format!("not a known command: {n}"))
            }
        }
    }
}

/// Drops leading `VAR=value` assignments; returns the program and its arguments.
fn peel(words: &[String]) -> Option<(&str, &[String])> {
    let first = words.iter().position(|w| !is_assignment(w))?;
    Some((words[first].as_str(), &words[first + 1..]))
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

pub(super) fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The command that `args` start with, classified.
pub(super) fn inner(args: &[&str], depth: usize, wrapper: &str) -> Verdict {
    if args.is_empty() {
        return Verdict::read(wrapper.to_string());
    }
    classify_words(&owned(args), depth)
}

/// Skips options (and the values of `with_value` ones) and `positional` more words,
/// then classifies what follows.
fn after_options(args: &[&str], with_value: &[&str], positional: usize, depth: usize, wrapper: &str) -> Verdict {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') && args[i] != "--" {
        let opt = args[i];
        i += 1;
        if with_value.contains(&opt) {
            i += 1;
        }
    }
    if args.get(i) == Some(&"--") {
        i += 1;
    }
    inner(args.get(i + positional..).unwrap_or(&[]), depth, wrapper)
}

fn sudo(args: &[&str], depth: usize) -> Verdict {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') && args[i] != "--" {
        let opt = args[i];
        if matches!(opt, "-i" | "-s" | "--login" | "--shell") && args.len() == i + 1 {
            return Verdict::unknown("an interactive root shell (sudo -i/-s)");
        }
        i += 1;
        if matches!(opt, "-u" | "-g" | "-h" | "-p" | "-C" | "-D" | "-r" | "-t" | "-U" | "-T" | "--user" | "--group") {
            i += 1;
        }
    }
    if args.get(i) == Some(&"--") {
        i += 1;
    }
    if args.len() <= i {
        return Verdict::unknown("sudo without a command");
    }
    classify_words(&owned(&args[i..]), depth)
}

fn env(args: &[&str], depth: usize) -> Verdict {
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if matches!(a, "-u" | "--unset" | "-C" | "--chdir" | "-S" | "--split-string") {
            i += 2;
        } else if a.starts_with('-') || is_assignment(a) {
            i += 1;
        } else {
            break;
        }
    }
    if i >= args.len() {
        return Verdict::read("env (prints the environment)");
    }
    classify_words(&owned(&args[i..]), depth)
}

fn shell(name: &str, args: &[&str], depth: usize) -> Verdict {
    // `sh -c 'script'` (also `-ec`, `-xc`): the script is what runs.
    if let Some(pos) = args.iter().position(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c')) {
        return match args.get(pos + 1) {
            Some(script) => classify_at(script, depth + 1),
            None => Verdict::unknown(format!("{name} -c without a script")),
        };
    }
    match args.iter().find(|a| !a.starts_with('-')) {
        Some(script) => Verdict::unknown(format!("runs the script {script}")),
        None => Verdict::unknown(format!("an interactive {name}")),
    }
}

fn k3s(args: &[&str], depth: usize) -> Verdict {
    match args.first() {
        Some(&tool @ ("kubectl" | "crictl" | "ctr")) => {
            let mut words = vec![tool.to_string()];
            words.extend(owned(&args[1..]));
            classify_words(&words, depth)
        }
        Some(&"check-config") | Some(&"--version") | Some(&"-v") | None => Verdict::read("k3s"),
        Some(&"server") | Some(&"agent") => Verdict::change("starts k3s"),
        Some(&"etcd-snapshot") if args.get(1).is_some_and(|a| matches!(*a, "ls" | "list")) => {
            Verdict::read("k3s etcd-snapshot ls")
        }
        Some(other) => Verdict::change(format!("k3s {other}")),
    }
}

/// kubectl options that take a value in the next word.
#[rustfmt::skip]
const KUBECTL_VALUE_FLAGS: &[&str] = &[
    "-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server", "--token",
    "--as", "--as-group", "--request-timeout", "-v", "--cache-dir", "--certificate-authority",
];

fn kubectl(name: &str, args: &[&str], depth: usize) -> Verdict {
    let words = positionals(args, KUBECTL_VALUE_FLAGS);
    let Some(&verb) = words.first() else {
        return Verdict::read(name.to_string());
    };
    let what = |n: usize| -> String {
        let mut parts = vec![name];
        parts.extend(words.iter().take(n));
        parts.join(" ")
    };
    match verb {
        "get" | "describe" | "logs" | "log" | "top" | "explain" | "version" | "cluster-info" | "api-resources"
        | "api-versions" | "events" | "wait" | "diff" | "port-forward" | "proxy" | "completion" | "plugin"
        | "kustomize" | "options" | "help" => Verdict::read(what(1)),
        "auth" => match words.get(1) {
            Some(&"reconcile") => Verdict::change(what(2)),
            _ => Verdict::read(what(2)),
        },
        "config" => match words.get(1) {
            Some(&("view" | "get-contexts" | "current-context" | "get-clusters" | "get-users")) => {
                Verdict::read(what(2))
            }
            Some(_) => Verdict::change(format!("{} (changes the kubeconfig)", what(2))),
            None => Verdict::read(what(1)),
        },
        "rollout" => match words.get(1) {
            Some(&("status" | "history")) => Verdict::read(what(2)),
            Some(_) => Verdict::change(what(2)),
            None => Verdict::read(what(1)),
        },
        "run" => {
            if args.contains(&"--rm") {
                Verdict::read(format!("{} (a throwaway pod, deleted on exit)", what(1)))
            } else {
                Verdict::change(format!("{} (creates a pod)", what(1)))
            }
        }
        "exec" => match args.iter().position(|a| *a == "--") {
            Some(p) if p + 1 < args.len() => {
                let inner = classify_words(&owned(&args[p + 1..]), depth);
                Verdict { effect: inner.effect, reason: format!("{} in a pod: {}", what(1), inner.reason) }
            }
            _ => Verdict::unknown(format!("{} (a shell in a pod)", what(1))),
        },
        "attach" => Verdict::unknown(what(1)),
        "apply" | "create" | "delete" | "patch" | "edit" | "scale" | "autoscale" | "cordon" | "uncordon" | "drain"
        | "label" | "annotate" | "set" | "replace" | "taint" | "expose" | "certificate" | "cp" | "debug" => {
            let n = if matches!(verb, "set" | "certificate") { 2 } else { 1 };
            let target: Vec<&str> = words.iter().skip(n).take(2).copied().collect();
            if target.is_empty() {
                Verdict::change(what(n))
            } else {
                Verdict::change(format!("{} {}", what(n), target.join(" ")))
            }
        }
        other => Verdict::unknown(format!("{name} {other}")),
    }
}

/// The words that are not options nor option values.
pub(super) fn positionals<'a>(args: &[&'a str], with_value: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a == "--" {
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            if with_value.contains(&a) {
                i += 1;
            }
        } else {
            out.push(a);
        }
        i += 1;
    }
    out
}

pub(super) fn verb_rule(name: &str, args: &[&str], changing: &[&str], reading: &[&str]) -> Verdict {
    match args.iter().find(|a| !a.starts_with('-')) {
        Some(&verb) if changing.contains(&verb) => Verdict::change(format!("{name} {verb}")),
        Some(&verb) if reading.contains(&verb) => Verdict::read(format!("{name} {verb}")),
        Some(&verb) => Verdict::unknown(format!("{name} {verb}")),
        None => Verdict::read(name.to_string()),
    }
}

fn helm(args: &[&str]) -> Verdict {
    let words = positionals(args, &["-n", "--namespace", "--kube-context", "--kubeconfig"]);
    match words.first() {
        Some(&v) if matches!(v, "install" | "upgrade" | "rollback" | "uninstall" | "delete" | "del" | "un") => {
            let release = words.get(1).map(|r| format!(" {r}")).unwrap_or_default();
            Verdict::change(format!("helm {v}{release}"))
        }
        Some(&v)
            if matches!(
                v,
                "list"
                    | "ls"
                    | "status"
                    | "get"
                    | "history"
                    | "show"
                    | "template"
                    | "search"
                    | "version"
                    | "lint"
                    | "diff"
                    | "env"
                    | "verify"
                    | "help"
            ) =>
        {
            Verdict::read(format!("helm {v}"))
        }
        Some(&"repo") => {
            verb_rule("helm repo", &args[1..], &["add", "remove", "rm", "update", "up"], &["list", "ls", "index"])
        }
        Some(&v) => Verdict::unknown(format!("helm {v}")),
        None => Verdict::read("helm"),
    }
}
