#!/bin/sh
# Waits until the Temporal server answers, then makes sure the namespace Switchboard's worker polls
# exists (the plain temporalio/server image, unlike the deprecated auto-setup, creates none). Run by
# docker-compose.yml's `temporal-namespace` job with the admin-tools image, at every `up`; the bots and
# the worker start once it has succeeded, so their first request finds the namespace.
set -eu

address="${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS must be set, e.g. temporal:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
retention="${TEMPORAL_RETENTION:-7d}"
attempts="${TEMPORAL_WAIT_ATTEMPTS:-60}"

n=1
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  [ "$n" -lt "$attempts" ] || { echo "temporal-namespace: $address not healthy after $attempts attempts" >&2; exit 1; }
  n=$((n + 1))
  sleep 2
done

if temporal operator namespace describe --namespace "$namespace" --address "$address" >/dev/null 2>&1; then
  echo "temporal-namespace: \"$namespace\" exists"
else
  temporal operator namespace create --namespace "$namespace" --retention "$retention" --address "$address"
  echo "temporal-namespace: \"$namespace\" created (retention $retention)"
fi
