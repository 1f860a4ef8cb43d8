use super::*;

fn check(cases: &[(&str, Effect, &str)]) {
    let mut bad = Vec::new();
    for (line, effect, reason) in cases {
        let v = classify(line);
        if v.effect != *effect || v.reason != *reason {
            bad.push(format!("{line:?}\n   want {:?} {reason:?}\n    got {:?} {:?}", effect, v.effect, v.reason));
        }
    }
    assert!(bad.is_empty(), "{} misclassified:\n{}", bad.len(), bad.join("\n"));
}

use Effect::{ReadOnly as R, StateChanging as C, Unknown as U};

#[test]
fn the_seed_story_commands() {
    check(&[
        ("kubectl get pods -A", R, "kubectl get"),
        (
            "kubectl get pods -A -o json | jq '[.items[].status.containerStatuses[].restartCount] | add'",
            R,
            "kubectl get; jq",
        ),
        ("kubectl get nodes", R, "kubectl get"),
        ("kubectl logs convocanvas-7d4b9c8f6-xk2p9 -n convocanvas", R, "kubectl logs"),
        (
            "kubectl run -it --rm debug --image=busybox --restart=Never -- nslookup ollama.ollama.svc.cluster.local",
            R,
            "kubectl run (a throwaway pod, deleted on exit)",
        ),
        ("kubectl get pods -n kube-system | grep coredns", R, "kubectl get; grep"),
        ("kubectl logs coredns-7b8c7b8d4-x9k2p -n kube-system", R, "kubectl logs"),
        ("ip addr show", R, "ip addr show"),
        ("sudo systemctl stop k3s", C, "systemctl stop k3s"),
        (
            "sudo rm -f /var/lib/rancher/k3s/server/cred/node-passwd",
            C,
            "rm /var/lib/rancher/k3s/server/cred/node-passwd",
        ),
        ("sudo systemctl start k3s", C, "systemctl start k3s"),
        ("sudo vi /etc/systemd/system/k3s.service", C, "vi /etc/systemd/system/k3s.service"),
        ("sudo systemctl daemon-reload", C, "systemctl daemon-reload"),
        ("sudo systemctl restart k3s", C, "systemctl restart k3s"),
        ("sleep 60", R, "sleep"),
        (
            "sudo systemctl stop k3s && sudo rm -f /var/lib/rancher/k3s/server/cred/node-passwd && sudo systemctl start k3s",
            C,
            "systemctl stop k3s; rm /var/lib/rancher/k3s/server/cred/node-passwd; systemctl start k3s",
        ),
        (
            "# Stop K3s\nsudo systemctl stop k3s\n\n# Wait 60 seconds\nsleep 60\n\n# Verify\nkubectl get nodes",
            C,
            "systemctl stop k3s",
        ),
        (
            "sudo vi /etc/systemd/system/k3s.service\n# Add: --node-ip=192.168.1.180\nsudo systemctl daemon-reload",
            C,
            "vi /etc/systemd/system/k3s.service; systemctl daemon-reload",
        ),
    ]);
}

#[test]
fn kubectl_verbs() {
    check(&[
        ("kubectl describe pod coredns-7b8c7b8d4-x9k2p -n kube-system", R, "kubectl describe"),
        ("kubectl top nodes", R, "kubectl top"),
        ("kubectl -n kube-system get cm coredns -o yaml", R, "kubectl get"),
        ("kubectl --context prod --namespace web delete pod web-1", C, "kubectl delete pod web-1"),
        ("kubectl apply -f coredns.yaml", C, "kubectl apply coredns.yaml"),
        ("kubectl create namespace debug", C, "kubectl create namespace debug"),
        ("kubectl patch deploy coredns -n kube-system -p '{\"spec\":{}}'", C, "kubectl patch deploy coredns"),
        ("kubectl edit cm coredns -n kube-system", C, "kubectl edit cm coredns"),
        ("kubectl scale deploy/web --replicas=0", C, "kubectl scale deploy/web"),
        ("kubectl rollout restart deployment coredns -n kube-system", C, "kubectl rollout restart"),
        ("kubectl rollout undo deploy/web", C, "kubectl rollout undo"),
        ("kubectl rollout status deploy/web", R, "kubectl rollout status"),
        ("kubectl rollout history deploy/web", R, "kubectl rollout history"),
        ("kubectl cordon leveling-pc", C, "kubectl cordon leveling-pc"),
        ("kubectl uncordon leveling-pc", C, "kubectl uncordon leveling-pc"),
        ("kubectl drain leveling-pc --ignore-daemonsets --delete-emptydir-data", C, "kubectl drain leveling-pc"),
        ("kubectl label node leveling-pc role=gpu", C, "kubectl label node leveling-pc"),
        ("kubectl annotate pod web-1 note=x", C, "kubectl annotate pod web-1"),
        ("kubectl set image deploy/web web=nginx:1.27", C, "kubectl set image deploy/web web=nginx:1.27"),
        ("kubectl replace --force -f pod.yaml", C, "kubectl replace pod.yaml"),
        ("kubectl taint nodes leveling-pc key=value:NoSchedule", C, "kubectl taint nodes leveling-pc"),
        ("kubectl run web --image=nginx", C, "kubectl run (creates a pod)"),
        ("kubectl exec -it web-1 -- cat /etc/resolv.conf", R, "kubectl exec in a pod: cat"),
        ("kubectl exec web-1 -- rm /tmp/lock", C, "kubectl exec in a pod: rm /tmp/lock"),
        ("kubectl exec -it web-1 -- sh", U, "kubectl exec in a pod: an interactive sh"),
        ("kubectl config use-context prod", C, "kubectl config use-context (changes the kubeconfig)"),
        ("kubectl config view", R, "kubectl config view"),
        ("k3s kubectl get pods -A", R, "kubectl get"),
        ("/usr/local/bin/kubectl delete pod x", C, "kubectl delete pod x"),
        ("kubectl frobnicate", U, "kubectl frobnicate"),
    ]);
}

#[test]
fn services_packages_and_helm() {
    check(&[
        ("systemctl status k3s", R, "systemctl status k3s"),
        ("systemctl --no-pager -l status k3s", R, "systemctl status k3s"),
        ("sudo systemctl enable --now k3s", C, "systemctl enable k3s"),
        ("systemctl disable k3s", C, "systemctl disable k3s"),
        ("systemctl reload nginx", C, "systemctl reload nginx"),
        ("systemctl mask k3s", C, "systemctl mask k3s"),
        ("systemctl is-active k3s", R, "systemctl is-active k3s"),
        ("systemctl", R, "systemctl (lists units)"),
        ("service k3s restart", C, "service k3s restart"),
        ("service k3s status", R, "service k3s status"),
        ("journalctl -u k3s --since '1 hour ago' | grep -i flannel", R, "journalctl; grep"),
        ("journalctl --vacuum-time=2d", C, "journalctl --vacuum-time=2d"),
        ("helm install prom prometheus-community/prometheus", C, "helm install prom"),
        ("helm upgrade --install grafana grafana/grafana -n monitoring", C, "helm upgrade grafana"),
        ("helm rollback grafana 3", C, "helm rollback grafana"),
        ("helm uninstall grafana -n monitoring", C, "helm uninstall grafana"),
        ("helm delete grafana", C, "helm delete grafana"),
        ("helm list -A", R, "helm list"),
        ("helm status grafana", R, "helm status"),
        ("apt-get install -y jq", C, "apt-get install"),
        ("apt list --installed", R, "apt list"),
    ]);
}

#[test]
fn files_editors_and_redirections() {
    check(&[
        ("cat /etc/systemd/system/k3s.service", R, "cat"),
        ("grep -r node-ip /etc/rancher/k3s/", R, "grep"),
        ("rm -rf /tmp/debug", C, "rm /tmp/debug"),
        ("mv /etc/k3s.yaml /etc/k3s.yaml.bak", C, "mv /etc/k3s.yaml /etc/k3s.yaml.bak"),
        ("cp k3s.service /etc/systemd/system/k3s.service", C, "cp onto /etc/systemd/system/k3s.service"),
        ("cp /etc/rancher/k3s/k3s.yaml ~/.kube/config", C, "cp onto ~/.kube/config"),
        ("cp /var/log/syslog /tmp/syslog.copy", R, "cp to a scratch path (/tmp/syslog.copy)"),
        ("chmod 600 /etc/rancher/k3s/k3s.yaml", C, "chmod 600 /etc/rancher/k3s/k3s.yaml"),
        ("chown ryan:ryan ~/.kube/config", C, "chown ryan:ryan ~/.kube/config"),
        ("vim /etc/hosts", C, "vim /etc/hosts"),
        ("nano /etc/netplan/01-netcfg.yaml", C, "nano /etc/netplan/01-netcfg.yaml"),
        ("emacs -nw /etc/resolv.conf", C, "emacs /etc/resolv.conf"),
        ("vim -R /etc/hosts", R, "vim -R (read-only)"),
        (
            "sed -i 's/192.168.1.79/192.168.1.186/' /etc/rancher/k3s/config.yaml",
            C,
            "sed -i edits /etc/rancher/k3s/config.yaml",
        ),
        ("sed -n '1,20p' /etc/hosts", R, "sed"),
        (
            "echo 'node-ip: 192.168.1.180' | sudo tee -a /etc/rancher/k3s/config.yaml",
            C,
            "tee writes /etc/rancher/k3s/config.yaml",
        ),
        ("kubectl get pods -A | tee /dev/stderr", R, "kubectl get; tee"),
        ("echo nameserver 1.1.1.1 > /etc/resolv.conf", C, "writes /etc/resolv.conf"),
        ("kubectl get pods -A >> pods.txt", C, "writes pods.txt"),
        ("kubectl get pods -A 2>&1 | grep -v Running", R, "kubectl get; grep"),
        ("kubectl logs x > /dev/null 2>&1", R, "kubectl logs"),
        ("kubectl get pods &>/tmp/pods.txt", C, "writes /tmp/pods.txt"),
        ("grep '>' /etc/hosts", R, "grep"),
        ("echo 'a > b; c && d' | wc -l", R, "echo; wc"),
        ("wc -l < /etc/hosts", R, "wc"),
        ("dd if=/dev/zero of=/var/lib/big bs=1M count=1", C, "dd writes /var/lib/big"),
        ("find /var/log -name '*.gz' -delete", C, "find -delete"),
        ("find /tmp -name '*.lock' -exec rm {} \\;", C, "find -exec rm {}"),
        ("touch /etc/rancher/k3s/config.yaml", C, "touch /etc/rancher/k3s/config.yaml"),
    ]);
}

#[test]
fn network_and_processes() {
    check(&[
        ("ip a", R, "ip a show"),
        ("ip -4 addr show enp6s0", R, "ip addr show"),
        ("ip route", R, "ip route show"),
        ("ip route get 1.1.1.1", R, "ip route get"),
        ("ip addr add 192.168.1.79/24 dev enp6s0", C, "ip addr add"),
        ("ip addr del 192.168.1.186/24 dev enp6s0", C, "ip addr del"),
        ("sudo ip route add default via 192.168.1.1 dev enp6s0", C, "ip route add"),
        ("ip route del default via 192.168.1.1", C, "ip route del"),
        ("ip link set flannel.1 down", C, "ip link set"),
        ("ip link delete cni0", C, "ip link delete"),
        ("iptables -L -n -v", R, "iptables"),
        ("iptables -S", R, "iptables"),
        ("iptables -A INPUT -p tcp --dport 6443 -j ACCEPT", C, "iptables -A"),
        ("sudo iptables -D FORWARD 3", C, "iptables -D"),
        ("iptables -I INPUT 1 -j DROP", C, "iptables -I"),
        ("iptables-save", U, "not a known command: iptables-save"),
        ("nft list ruleset", R, "nft list"),
        ("nft flush ruleset", C, "nft flush"),
        ("nslookup ollama.ollama.svc.cluster.local 10.43.0.10", R, "nslookup"),
        ("dig @10.43.0.10 kubernetes.default.svc.cluster.local", R, "dig"),
        ("ping -c 3 192.168.1.1", R, "ping"),
        ("ifconfig", R, "ifconfig"),
        ("ifconfig enp6s0 192.168.1.79 netmask 255.255.255.0", C, "ifconfig enp6s0 192.168.1.79 netmask 255.255.255.0"),
        ("sudo dhclient -r enp6s0", C, "dhclient enp6s0"),
        ("nmcli device show enp6s0", R, "nmcli device show"),
        ("nmcli connection modify 'Wired 1' ipv4.addresses 192.168.1.79/24", C, "nmcli connection modify"),
        ("curl -s http://10.43.0.10:9153/metrics", R, "curl"),
        ("curl -X POST http://localhost:8080/reload", C, "curl sends an HTTP POST"),
        ("curl -d '{}' http://localhost:8080/api", C, "curl sends data (HTTP POST/PUT)"),
        ("reboot", C, "reboot: reboots the machine"),
        ("sudo shutdown -r now", C, "shutdown now"),
        ("kill -9 4242", C, "kill 4242"),
        ("pkill -f flannel", C, "pkill flannel"),
        ("docker ps -a", R, "docker ps"),
        ("docker logs -f web", R, "docker logs"),
        ("docker rm -f web", C, "docker rm web"),
        ("docker stop web", C, "docker stop web"),
        ("docker restart web", C, "docker restart web"),
        ("docker exec web cat /etc/hosts", R, "docker exec: cat"),
        ("crictl ps -a", R, "crictl ps"),
        ("crictl rmp -a", C, "crictl rmp"),
        ("sysctl net.ipv4.ip_forward", R, "sysctl"),
        ("sysctl -w net.ipv4.ip_forward=1", C, "sysctl sets kernel parameters"),
        ("ps aux | grep k3s", R, "ps; grep"),
        ("ss -tlnp | grep 6443", R, "ss; grep"),
        ("df -h && free -m && uptime", R, "df; free; uptime"),
    ]);
}

#[test]
fn wrappers_are_peeled() {
    check(&[
        ("sudo -u root systemctl restart k3s", C, "systemctl restart k3s"),
        ("sudo -E kubectl get pods", R, "kubectl get"),
        ("sudo -i", U, "an interactive root shell (sudo -i/-s)"),
        ("env KUBECONFIG=/etc/rancher/k3s/k3s.yaml kubectl get pods", R, "kubectl get"),
        ("env X=1 Y=2 systemctl stop k3s", C, "systemctl stop k3s"),
        ("KUBECONFIG=/etc/rancher/k3s/k3s.yaml kubectl delete pod x", C, "kubectl delete pod x"),
        ("timeout 5 kubectl get pods", R, "kubectl get"),
        ("timeout -s KILL 30s systemctl restart k3s", C, "systemctl restart k3s"),
        ("nohup k3s server &", C, "starts k3s"),
        ("time kubectl get pods -A", R, "kubectl get"),
        ("watch -n 2 kubectl get pods -A", R, "kubectl get"),
        ("nice -n 10 tar czf /tmp/x.tgz /etc", U, "not a known command: tar"),
        (
            "sh -c 'systemctl stop k3s; rm -f /var/lib/rancher/k3s/server/cred/node-passwd'",
            C,
            "systemctl stop k3s; rm /var/lib/rancher/k3s/server/cred/node-passwd",
        ),
        ("bash -c \"kubectl get pods | grep -v Running\"", R, "kubectl get; grep"),
        ("sudo sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'", C, "writes /proc/sys/net/ipv4/ip_forward"),
        ("bash -ec 'kubectl get nodes'", R, "kubectl get"),
        ("bash fix-network.sh", U, "runs the script fix-network.sh"),
        ("./fix-network.sh", U, "not a known command: fix-network.sh"),
        ("kubectl get pods -o name | xargs kubectl delete", C, "kubectl delete"),
        ("kubectl get pods -o name | xargs -n1 kubectl describe", R, "kubectl get; kubectl describe"),
        ("sudo timeout 10 env A=b sh -c 'rm /etc/x'", C, "rm /etc/x"),
        ("sh -c 'sh -c \"sh -c \\\"sh -c ls\\\"\"'", R, "ls"),
        ("", R, "no command"),
        ("# just a comment", R, "no command"),
        ("X=1", R, "variable assignment"),
        ("kubectl get pods 'unbalanced", R, "kubectl get"),
    ]);
}

#[test]
fn segments_respect_quotes_and_take_out_redirections() {
    let segs = segments("echo 'a|b' \"c;d\" > out.txt 2>&1 | tee -a log && x");
    assert_eq!(
        segs,
        vec![
            Segment { text: "echo 'a|b' \"c;d\"".to_string(), writes: vec!["out.txt".to_string(), "&1".to_string()] },
            Segment { text: "tee -a log".to_string(), writes: vec![] },
            Segment { text: "x".to_string(), writes: vec![] },
        ]
    );
    let segs = segments("a \\\n  --flag # comment | rm x\nb");
    assert_eq!(segs.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(), ["a    --flag", "b"]);
}
