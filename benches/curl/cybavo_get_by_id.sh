#!/usr/bin/env bash
# The baseline for benches/bulk_pacing.rs: what a developer does today by hand — a bash loop of curl +
# openssl that signs CYBAVO get_by_id calls (100 serials each) and verifies each response's X-CHECKSUM.
# Usage: cybavo_get_by_id.sh BASE_URL WALLET_ID API_CODE API_SECRET FIRST_SERIAL COUNT
set -euo pipefail
base=$1 wallet=$2 code=$3 secret=$4 first=$5 count=$6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
calls=0 bad=0
for ((start = first; start < first + count; start += 100)); do
  end=$((start + 100 < first + count ? start + 100 : first + count))
  ids=$(seq -s, "$start" $((end - 1)))
  body="{\"ids\":[$ids]}"
  t=$(date +%s)
  r=$(openssl rand -hex 4)
  # Sorted tokens: r=…, t=…, then the body ("{" sorts after letters), then the secret last.
  sum=$(printf '%s' "r=$r&t=$t&$body&secret=$secret" | openssl dgst -sha256 -r | cut -d' ' -f1)
  curl -sS -o "$tmp/body" -D "$tmp/headers" -X POST \
    -H "X-API-CODE: $code" -H "X-CHECKSUM: $sum" -H "Content-Type: application/json" \
    --data-binary "$body" "$base/v1/sofa/wallets/$wallet/notifications/get_by_id?t=$t&r=$r"
  got=$(grep -i '^x-checksum:' "$tmp/headers" | cut -d' ' -f2 | tr -d '\r')
  want=$( (cat "$tmp/body"; printf '%s' "$secret") | openssl dgst -sha256 -binary | base64 | tr '+/' '-_')
  [ "$got" = "$want" ] || bad=$((bad + 1))
  calls=$((calls + 1))
done
echo "$calls $bad"
