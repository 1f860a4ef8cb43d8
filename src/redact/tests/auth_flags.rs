//! `user:password` and tokens given to a command's auth flags.

use super::assert_redacts;

#[test]
fn etcdctl_user_keeps_the_user() {
    assert_redacts(&[
        ("etcdctl --user root:S3cretPw get /a", "etcdctl --user root:[REDACTED:basic-auth-1] get /a"),
        ("etcdctl --user=root:S3cretPw get /a", "etcdctl --user=root:[REDACTED:basic-auth-1] get /a"),
        (
            "ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=https://10.0.0.5:2379 --user 'root:S3cret!' member list",
            "ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints=https://10.0.0.5:2379 --user 'root:[REDACTED:basic-auth-1]' member list",
        ),
        (
            "kubectl -n kube-system exec etcd-0 -- etcdctl --user=root:S3cretPw endpoint health",
            "kubectl -n kube-system exec etcd-0 -- etcdctl --user=root:[REDACTED:basic-auth-1] endpoint health",
        ),
        // Kept: no password given, a uid:gid, a user:group of another command.
        ("etcdctl --user root get /a", "etcdctl --user root get /a"),
        ("etcdctl --user root --password-stdin get /a", "etcdctl --user root --password-stdin get /a"),
        ("etcdctl --user 1000:1000 get /a", "etcdctl --user 1000:1000 get /a"),
        (
            "docker run --user app:app quay.io/coreos/etcd etcdctl get /a",
            "docker run --user app:app quay.io/coreos/etcd etcdctl get /a",
        ),
        ("etcdctl get /a; docker exec --user app:app c ls", "etcdctl get /a; docker exec --user app:app c ls"),
    ]);
}

#[test]
fn httpie_bearer_token_goes_the_host_stays() {
    assert_redacts(&[
        ("http -A bearer -a Tk9aZ3xQ7 example.org", "http -A bearer -a [REDACTED:bearer-1] example.org"),
        ("http --auth-type=bearer --auth Tk9aZ3xQ7 host", "http --auth-type=bearer --auth [REDACTED:bearer-1] host"),
        ("xh -A bearer -a Tk9aZ3xQ7 host", "xh -A bearer -a [REDACTED:bearer-1] host"),
        // Whatever the token looks like, in either order, quoted.
        ("https --auth-type bearer -a abcdefgh host", "https --auth-type bearer -a [REDACTED:bearer-1] host"),
        ("xh -a 'Tk9aZ3xQ7' -A bearer host", "xh -a '[REDACTED:bearer-1]' -A bearer host"),
        (
            "xh POST host -A Bearer --auth=\"Tk9aZ3xQ7\" x=1",
            "xh POST host -A Bearer --auth=\"[REDACTED:bearer-1]\" x=1",
        ),
        // The scheme named without a token: the host after it is no token.
        ("http --auth-type=bearer example.org", "http --auth-type=bearer example.org"),
        ("xh -A bearer api.example.org/v1", "xh -A bearer api.example.org/v1"),
        ("http -A bearer -a $TOKEN example.org", "http -A bearer -a $TOKEN example.org"),
        ("http -A bearer example.org | grep -a x:y", "http -A bearer example.org | grep -a x:y"),
        // Still a token after `--bearer` (xh) and in a header.
        ("xh --bearer Tk9aZ3xQ7 host", "xh --bearer [REDACTED:bearer-1] host"),
        ("Authorization: Bearer Tk9aZ3xQ7", "Authorization: Bearer [REDACTED:bearer-1]"),
    ]);
}

#[test]
fn a_quoted_password_with_a_space_goes_whole() {
    assert_redacts(&[
        ("curl -u 'u:pa ss' http://x", "curl -u 'u:[REDACTED:basic-auth-1]' http://x"),
        ("curl --user \"u:pa ss word\" x", "curl --user \"u:[REDACTED:basic-auth-1]\" x"),
        ("etcdctl --user 'root:pa ss' get /a", "etcdctl --user 'root:[REDACTED:basic-auth-1]' get /a"),
        ("http -a 'alice:S3cret Pw' example.org", "http -a 'alice:[REDACTED:basic-auth-1]' example.org"),
        // Unquoted, the word ends it; a quote that is never closed takes nothing more.
        ("curl -u u:pass x 'y'", "curl -u u:[REDACTED:basic-auth-1] x 'y'"),
        ("curl -u 'u:pass x", "curl -u 'u:[REDACTED:basic-auth-1] x"),
    ]);
}

#[test]
fn etcdctl_user_in_the_environment_keeps_the_user() {
    assert_redacts(&[
        ("ETCDCTL_USER=root:S3cretPw etcdctl get /a", "ETCDCTL_USER=root:[REDACTED:basic-auth-1] etcdctl get /a"),
        ("export ETCDCTL_USER=root:S3cretPw", "export ETCDCTL_USER=root:[REDACTED:basic-auth-1]"),
        ("export ETCDCTL_USER='root:S3cret Pw'", "export ETCDCTL_USER='root:[REDACTED:basic-auth-1]'"),
        ("    ETCDCTL_USER: root:S3cretPw", "    ETCDCTL_USER: root:[REDACTED:basic-auth-1]"),
        ("{\"ETCDCTL_USER\": \"root:S3cretPw\"}", "{\"ETCDCTL_USER\": \"root:[REDACTED:basic-auth-1]\"}"),
        (
            "docker run -e ETCDCTL_USER=root:S3cretPw etcd",
            "docker run -e ETCDCTL_USER=root:[REDACTED:basic-auth-1] etcd",
        ),
        // The password of its own: already a password.
        ("ETCDCTL_PASSWORD=S3cretPw", "ETCDCTL_PASSWORD=[REDACTED:password-assignment-1]"),
        // Kept: a user alone, a variable, a uid:gid.
        ("ETCDCTL_USER=root etcdctl get /a", "ETCDCTL_USER=root etcdctl get /a"),
        ("export ETCDCTL_USER=root:${ETCD_PW}", "export ETCDCTL_USER=root:${ETCD_PW}"),
        ("ETCDCTL_USER=1000:1000", "ETCDCTL_USER=1000:1000"),
    ]);
}
