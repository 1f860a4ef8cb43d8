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
