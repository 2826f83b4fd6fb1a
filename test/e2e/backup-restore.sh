#!/usr/bin/env bash
# End to end on a real cluster (kind in CI): apply dist/, install WordPress through its HTTP
# installer, create a post and upload a file, run a backup Job from the CronJob, delete both,
# restore the latest backup with the restore Job the chart synthesizes, and check both are back.
#
#   test/e2e/backup-restore.sh [kube-context]      (default: the current context)
#
# With no cluster reachable (or no kubectl) it says so and exits 0, unless E2E_REQUIRE_CLUSTER=1:
# then it fails, so that a CI job whose cluster did not come up cannot pass by skipping (the kind
# job in .github/workflows/ci.yml sets it). `npm test` does not run it against a cluster.
# Needs kubectl, curl, node and a built lib/ (npm run build). Leaves the namespace for inspection.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONTEXT="${1:-${KUBE_CONTEXT:-}}"
NS=wordpress
RELEASE=wordpress
PORT="${E2E_PORT:-18080}"
WORK="$(mktemp -d)"
trap 'kill "${forward_pid:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

log() { printf '[e2e %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { log "FAILED: $*"; exit 1; }
skip() {
  case "${E2E_REQUIRE_CLUSTER:-}" in
    ''|0) log "skipped: $*"; exit 0 ;;
    1) die "$* (E2E_REQUIRE_CLUSTER=1: a cluster is required)" ;;
    *) die "E2E_REQUIRE_CLUSTER is '${E2E_REQUIRE_CLUSTER}': set it to 1 (fail without a cluster) or 0 or leave it unset (skip)" ;;
  esac
}

if ! command -v kubectl >/dev/null 2>&1; then
  skip "kubectl is not installed"
fi
k() { kubectl ${CONTEXT:+--context "$CONTEXT"} "$@"; }
if ! k cluster-info --request-timeout=5s >/dev/null 2>&1; then
  skip "no cluster reachable${CONTEXT:+ with context $CONTEXT}"
fi
for tool in curl node; do command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"; done
[ -f "$ROOT/lib/src/index.js" ] || die "lib/ is missing: run npm run build first"

log "applying dist/wordpress.k8s.yaml"
k apply -f "$ROOT/dist/wordpress.k8s.yaml" >/dev/null
k -n "$NS" wait --for=condition=complete job -l app.kubernetes.io/component=credentials --timeout=5m >/dev/null || die "the credentials Job did not complete"
k -n "$NS" rollout status "statefulset/$RELEASE-mysql" --timeout=10m
k -n "$NS" rollout status "deployment/$RELEASE" --timeout=10m

forward() {
  kill "${forward_pid:-}" 2>/dev/null || true
  k -n "$NS" port-forward "service/$RELEASE" "$PORT:80" >"$WORK/forward.log" 2>&1 &
  forward_pid=$!
  for _ in $(seq 1 30); do curl -s -o /dev/null "http://127.0.0.1:$PORT/wp-login.php" && return 0; sleep 1; done
  die "port-forward to service/$RELEASE did not come up"
}
site="http://127.0.0.1:$PORT"
# WordPress redirects to its configured URL; the Host header keeps it on the forwarded port.
web() { curl -sS --fail-with-body -b "$WORK/cookies" -c "$WORK/cookies" "$@"; }

forward
log "installing WordPress through its HTTP installer"
web -o /dev/null --data-urlencode weblog_title=E2E --data-urlencode user_name=admin --data-urlencode admin_password=e2e-Passw0rd-e2e \
  --data-urlencode admin_password2=e2e-Passw0rd-e2e --data-urlencode pw_weak=1 --data-urlencode admin_email=admin@example.com \
  --data-urlencode blog_public=0 "$site/wp-admin/install.php?step=2"
web -o /dev/null "$site/wp-login.php"   # sets the test cookie WordPress checks at login
web -o /dev/null --data-urlencode log=admin --data-urlencode pwd=e2e-Passw0rd-e2e --data-urlencode testcookie=1 "$site/wp-login.php"
nonce="$(web "$site/wp-admin/admin-ajax.php?action=rest-nonce")"
[ -n "$nonce" ] && [ "$nonce" != 0 ] || die "could not log in"
api() { web -H "X-WP-Nonce: $nonce" "$@"; }
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

log "creating a post and uploading a file"
post_id="$(api -H 'Content-Type: application/json' -d '{"title":"Backed up post","content":"It survived.","status":"publish"}' \
  "$site/?rest_route=/wp/v2/posts" | json id)"
head -c 49152 /dev/urandom | base64 > "$WORK/upload.bin"   # text: WordPress checks a .txt file's content type
media="$(api -H 'Content-Disposition: attachment; filename=e2e-upload.txt' -H 'Content-Type: text/plain' \
  --data-binary @"$WORK/upload.bin" "$site/?rest_route=/wp/v2/media")"
media_id="$(printf '%s' "$media" | json id)"
media_path="$(printf '%s' "$media" | json source_url | sed 's|^https\?://[^/]*||')"
log "post $post_id, media $media_id at $media_path"

log "running a backup Job from the CronJob"
job="e2e-backup-$(date -u +%H%M%S)"
k -n "$NS" create job "$job" --from="cronjob/$RELEASE-backup" >/dev/null
k -n "$NS" wait --for=condition=complete "job/$job" --timeout=15m || { k -n "$NS" logs "job/$job" --all-containers || true; die "the backup Job did not complete"; }
k -n "$NS" logs "job/$job" -c store | tail -n 1

log "deleting the post and the file"
api -o /dev/null -X DELETE "$site/?rest_route=/wp/v2/posts/$post_id&force=true"
api -o /dev/null -X DELETE "$site/?rest_route=/wp/v2/media/$media_id&force=true"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$site$media_path")" = 404 ] || die "the upload is still there after deleting it"

log "stopping WordPress and restoring the latest backup"
kill "$forward_pid" 2>/dev/null || true
k -n "$NS" scale "deployment/$RELEASE" --replicas=0 >/dev/null
k -n "$NS" wait --for=delete pod -l app.kubernetes.io/component=web --timeout=5m >/dev/null 2>&1 || true
# The restore Job and its scripts exactly as the chart synthesizes them for `restore: { backup: latest, overwrite: true }`
# (only those: applying the whole chart would scale WordPress back up).
( cd "$ROOT" && node -e '
  const { Testing } = require("cdk8s");
  const { buildDefaultApp } = require("./lib/src/app");
  const chart = buildDefaultApp(Testing.app(), { restore: { backup: "latest", overwrite: true } }).charts[0];
  const items = Testing.synth(chart).filter((o) => o.metadata.name.startsWith("wordpress-restore-"));
  console.log(JSON.stringify({ apiVersion: "v1", kind: "List", items }));' ) > "$WORK/restore.json"
k apply -f "$WORK/restore.json" >/dev/null
restore_job="$(node -e 'console.log(require(process.argv[1]).items.find((o) => o.kind === "Job").metadata.name)' "$WORK/restore.json")"
k -n "$NS" wait --for=condition=complete "job/$restore_job" --timeout=15m || { k -n "$NS" logs "job/$restore_job" --all-containers || true; die "the restore Job did not complete"; }
k -n "$NS" logs "job/$restore_job" -c content | tail -n 1

log "starting WordPress and checking"
k -n "$NS" scale "deployment/$RELEASE" --replicas=1 >/dev/null
k -n "$NS" rollout status "deployment/$RELEASE" --timeout=10m
forward
title="$(curl -sS --fail "$site/?rest_route=/wp/v2/posts/$post_id" | json title)"
case "$title" in *"Backed up post"*) ;; *) die "post $post_id is not back (got: $title)" ;; esac
curl -sS --fail -o "$WORK/restored.bin" "$site$media_path" || die "the upload is not back"
cmp -s "$WORK/upload.bin" "$WORK/restored.bin" || die "the restored upload differs"
log "passed: the post and the upload are back"
