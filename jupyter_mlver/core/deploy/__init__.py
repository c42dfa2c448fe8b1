"""Deployments: model versions served behind a real proxy, with a canary split, watched through
their Prometheus metrics and drift, promoted or rolled back; and the same for a cluster as KServe
manifests."""
