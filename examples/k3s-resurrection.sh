#!/usr/bin/env bash
# Records the seed story (../shared/seed/k3s-resurrection.md) into the sample vault
# with the tool itself: every step through the real CLI, the clock pinned per step
# (INCIDENT_NOW) and `--at` where a step was written down after the fact. The
# outputs are the ones from the story, in examples/k3s-resurrection/outputs/.
# No network connection is made.
#
# Usage: examples/k3s-resurrection.sh [VAULT_DIR]      (default: vault/)
# Env:   INCIDENT=path/to/incident (default: cargo run --release -q --)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
vault=${1:-$root/vault}
out=$here/k3s-resurrection/outputs
if [ -n "${INCIDENT:-}" ]; then
  bin=("$INCIDENT")
else
  (cd "$root" && cargo build -q)
  bin=("$root/target/debug/incident")
fi

export INCIDENT_AUTHOR=ryan INCIDENT_HOST=leveling-pc TZ=America/Chicago
unset INCIDENT_ID INCIDENT_VAULT
# The clock as the responder's laptop saw it (CDT, -05:00); each command a second
# after the previous one, so steps of the same minute keep the order they were written in.
minute=08:23 second=0
now() { minute=$1 second=0; }
i() {
  export INCIDENT_NOW="2025-10-05T$minute:$(printf %02d "$second")-05:00"
  second=$((second + 1))
  "${bin[@]}" --vault "$vault" -q "$@"
}
cap() { local file=$1; shift; i capture --no-echo "$@" < "$out/$file" > /dev/null; }

rm -rf "$vault/incidents" "$vault/.incident"
i init "$vault"

now 08:23
i start "K3s cluster down: every pod in CrashLoopBackOff" --severity sev2 \
  --service convocanvas --service librechat --service rag --service prometheus --service grafana \
  --service elk --service jaeger --service kafka \
  --unaffected "ollama (host)" --unaffected "fastmcp (host)" --unaffected "gpu-monitor (host)" --tag k3s --tag kubernetes --tag dns --tag networking \
  --summary "Saturday-morning health check found every pod of the single-node K3s cluster crash-looping (6,812 restarts). DHCP had given the host a new address; K3s and flannel still used the old one, so cluster DNS looped and every service lookup failed. A clean restart of K3s brought the cluster back in 30 minutes; pinning flannel to the WiFi interface keeps it from happening again." > /dev/null
cap pods-crashloop.txt -c "kubectl get pods -A" --exit-code 0
now 08:24
i mark detected --at 08:23 "Morning health check: every pod in CrashLoopBackOff"
cap restart-total.txt -c "kubectl get pods -A -o json | jq '[.items[].status.containerStatuses[].restartCount] | add'" --exit-code 0
i note "6,812 restarts. Something is catastrophically broken; started checking node, logs, DNS, CoreDNS, network in that order."
now 08:25
cap nodes.txt -c "kubectl get nodes" --exit-code 0
i note "Node is Ready, but pods keep dying."
now 08:26
cap convocanvas-logs.txt -c "kubectl logs convocanvas-7d4b9c8f6-xk2p9 -n convocanvas" --exit-code 0
now 08:28
cap nslookup.txt -c "kubectl run -it --rm debug --image=busybox --restart=Never -- nslookup ollama.ollama.svc.cluster.local" --exit-code 1
i note "DNS is broken: services cannot resolve each other, so the whole cluster network is effectively down."
now 08:30
cap coredns-pod.txt -c "kubectl get pods -n kube-system | grep coredns" --exit-code 0
now 08:31
cap coredns-logs.txt -c "kubectl logs coredns-7b8c7b8d4-x9k2p -n kube-system" --exit-code 0
i note "CoreDNS itself is crash-looping: plugin/loop detects a forwarding loop. The network configuration is fundamentally broken."
now 08:38
cap nodes-wide.txt -c "kubectl get nodes -o wide" --exit-code 0
now 08:40
cap ip-addr.txt -c "ip addr show" --exit-code 0
now 08:41
cap ip-route.txt -c "ip route" --exit-code 0
cap k3s-journal.txt -c "journalctl -u k3s --since '08:40' --no-pager" --exit-code 0
now 08:45
i mark diagnosed "Root cause: node IP changed from 192.168.1.79 to 192.168.1.186/.180 under K3s"
i cause "DHCP reassigned the host's address. K3s had registered the node as 192.168.1.79; the host now has 192.168.1.186 (wired) and 192.168.1.180 (WiFi, the default route). Flannel's cached network configuration became invalid, which left CoreDNS forwarding to itself (the loop) and every pod unable to resolve services." \
  --trigger "DHCP lease renewal in late September changed the host IP (exact date unknown)"
now 08:50
i option "Clean restart" --pros "Back in minutes" --pros "No config change needed" --cons "The next DHCP change breaks it again" \
  --detail $'```bash\nsudo systemctl stop k3s\nsudo rm -f /var/lib/rancher/k3s/server/cred/node-passwd\nsudo systemctl start k3s\n```'
now 08:53
i option "Pin to a specific IP (--node-ip)" --pros "Stable node address" --cons "Breaks if DHCP hands out a different address" --cons "Needs a service edit and restart" \
  --detail $'```bash\nsudo vi /etc/systemd/system/k3s.service   # add --node-ip=192.168.1.180\nsudo systemctl daemon-reload\nsudo systemctl restart k3s\n```'
now 08:56
i option "Pin to interface (--flannel-iface)" --pros "Survives future IP changes" --pros "Best long-term fix" --cons "Needs a service edit and restart" \
  --detail $'```bash\nsudo vi /etc/systemd/system/k3s.service   # add --flannel-iface=wlp5s0\nsudo systemctl daemon-reload\nsudo systemctl restart k3s\n```'
now 09:00
i mark mitigation-start "Clean restart of K3s"
i decide "Clean restart" --for mitigation --why "Fastest way back for a cluster that has been down for days; implement the interface pinning right after as the permanent fix."
now 09:15
i capture -c "sudo systemctl stop k3s" --exit-code 0 < /dev/null
i capture -c "sudo rm -f /var/lib/rancher/k3s/server/cred/node-passwd" --exit-code 0 < /dev/null
i capture -c "sudo systemctl start k3s" --exit-code 0 < /dev/null
now 09:17
i note "Waiting 60 seconds for K3s to re-detect the network."
now 09:18
cap nodes-after.txt -c "kubectl get nodes" --exit-code 0
now 09:20
cap pods-recovered.txt -c "kubectl get pods -A" --exit-code 0
now 09:30
i mark recovered "All pods healthy"
now 10:00
i mark permanent-fix-start "Pinning flannel to wlp5s0"
i decide "Pin to interface" --for permanent-fix --why "Survives future IP changes: the next DHCP lease cannot break the cluster again."
now 10:05
cap k3s-service-diff.txt -c "sudo vi /etc/systemd/system/k3s.service" --exit-code 0
now 10:08
i capture -c "sudo systemctl daemon-reload" --exit-code 0 < /dev/null
i capture -c "sudo systemctl restart k3s" --exit-code 0 < /dev/null
now 10:20
cap nodes-wide-after.txt -c "kubectl get nodes -o wide" --exit-code 0
now 10:25
cap pods-permanent-fix.txt -c "kubectl get pods -A" --exit-code 0
now 10:30
i mark permanent-fix "K3s pinned to the WiFi interface; future IP changes will not break the cluster"
i resolve "Cluster healthy, permanent fix in place"

now 10:45
i lesson --kind worked "Systematic debugging: node status, pod logs, DNS resolution, CoreDNS, network configuration, root cause, fix."
i lesson --kind worked "Working with Claude: structured debugging and solution options, with the human providing system access and context."
i lesson --kind worked "Clean recovery: the clean restart got the cluster running in minutes."
i lesson --kind worked "Permanent fix: pinning flannel to an interface prevents recurrence."
i lesson --kind sucked "Silent failure: 6,812 restarts over days or weeks with no alerting."
i lesson --kind sucked "No monitoring: there should have been alerts on pod restart counts above 10."
i lesson --kind sucked "DHCP dependency: infrastructure relying on DHCP is fragile."
i lesson --kind sucked "Lost time: nobody knows how long the cluster was actually down."
i lesson --kind lucky "Found on a Saturday morning: time to fix it properly instead of a quick patch before work."
i lesson --kind learned "Alerting is non-negotiable: 6,812 restarts should have paged at restart 10."
i lesson --kind learned "DHCP is fine for laptops, not for infrastructure: K3s needs a stable IP or interface pinning."
i lesson --kind learned "Monitoring gaps are invisible until failure."
i lesson --kind learned "The rebuild was the easy part: discovering the issue and finding the root cause took longer than the recovery."
i action "Alert on pod restart counts above 10" --owner ryan --due 2025-10-12
i action "Reserve a static DHCP lease for leveling-pc" --owner ryan --due 2025-10-12
i action "Add a cluster health check that runs every morning and pages on failure" --owner ryan --due 2025-10-19
i postmortem
echo "recorded the K3s incident into $vault" >&2
