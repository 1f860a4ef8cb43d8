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
        if entries.len() == value.split(',').count() {
            continue;
        }
        // SAFETY: no other thread has been started yet.
        unsafe {
            match entries.is_empty() {
                // `,` is an empty list to Go; kube would reject even an empty value.
                true => std::env::remove_var(name),
                false => std::env::set_var(name, entries.join(",")),
            }
        }
    }
}
