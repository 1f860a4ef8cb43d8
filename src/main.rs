fn main() -> std::process::ExitCode {
    drop_empty_no_proxy_entries();
    incident::run(std::env::args_os())
}

/// kube-rs refuses a `NO_PROXY` with an empty entry (`a,b,`, `a,,b`) whenever a proxy is
/// set, where Go (kubectl, exec plugins) skips it. Done here, before any thread exists,
/// so that the environment can still be changed soundly; the meaning stays the same.
fn drop_empty_no_proxy_entries() {
    for name in ["NO_PROXY", "no_proxy"] {
        let Some(value) = std::env::var_os(name) else { continue };
        let Some(value) = value.to_str() else { continue };
        let entries: Vec<&str> = value.split(',').map(str::trim).filter(|e| !e.is_empty()).collect();
        if !entries.is_empty() && entries.len() != value.split(',').count() {
            // SAFETY: no other thread has been started yet.
            unsafe { std::env::set_var(name, entries.join(",")) };
        }
    }
}
