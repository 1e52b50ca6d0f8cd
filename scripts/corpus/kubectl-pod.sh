#!/usr/bin/env bash
# Corpus scenario kubectl-pod: Kubernetes pod (deployment corpus/web; token directory bind-mounted; an API server stand-in on 10.96.0.1:443 in the pod's network namespace, the default service address R0007 knows) judged against the profile of a normal run: the anomalous run also runs kubectl get pods, a kubectl-named client that reads the token and connects to the API server (expects R0001, R0007 for the exec and for the connection, R0006).
# Regenerates corpus/kubectl-pod/ (learn, profiles, capture, expected.jsonl, README.md, loupe.yaml). Must run as root.
SCENARIO=kubectl-pod
DESCRIPTION="Kubernetes pod (deployment corpus/web; token directory bind-mounted; an API server stand-in on 10.96.0.1:443 in the pod's network namespace, the default service address R0007 knows) judged against the profile of a normal run: the anomalous run also runs kubectl get pods, a kubectl-named client that reads the token and connects to the API server (expects R0001, R0007 for the exec and for the connection, R0006)."
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TOKEN="$ROOT/.build/corpus/serviceaccount"
mkdir -p "$TOKEN"
echo "corpus-fake-token" >"$TOKEN/token"
BIN="$ROOT/.build/corpus/kubectl-bin"
mkdir -p "$BIN"
cp "$HELPER" "$BIN/kubectl"
POD=(--bind "$TOKEN:/var/run/secrets/kubernetes.io/serviceaccount" --bind "$BIN:/usr/local/bin")

# Once the pod ($1: learn or attack) runs: 10.96.0.1 on its loopback and an API server stand-in
# listening there (a host process in the pod's network namespace), while the pod sleeps its first
# second.
api_server() {
	local pidfile="$ROOT/.build/corpus/pods/loupe-corpus-$SCENARIO-$1/init.pid"
	for _ in $(seq 1 50); do
		[[ -s "$pidfile" ]] && break
		sleep 0.1
	done
	local pid
	pid=$(cat "$pidfile")
	nsenter -t "$pid" -n ip addr add 10.96.0.1/32 dev lo
	nsenter -t "$pid" -n "$HELPER" listen 10.96.0.1 443 3 &
}

# The pods run in the background while api_server sets up; they are deleted on exit.
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete loupe-corpus-$SCENARIO-learn"
corpus_cleanup "$ROOT/scripts/e2e/runc-pod.sh --delete loupe-corpus-$SCENARIO-attack"
corpus_learn_start
corpus_web_pod learn "$WEB_NORMAL" "${POD[@]}" &
POD_PID=$!
api_server learn
wait "$POD_PID"
corpus_learn_finish --namespace "$WEB_NAMESPACE" --pod "$WEB_LEARN_POD" --container "$WEB_CONTAINER"
corpus_start
corpus_web_pod attack "$WEB_NORMAL
/usr/local/bin/kubectl get pods" "${POD[@]}" &
POD_PID=$!
api_server attack
wait "$POD_PID"
corpus_finish
